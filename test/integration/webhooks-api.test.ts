// The management API of data out: endpoint objects, ping and health, delivery history with attempts and pagination, last_item_*, and the error format.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ACCOUNT } from '../helpers/app.js';
import { AUTH, OTHER_AUTH, bodyOf, createEndpoint, deliveryInState, disabledEndpoint, publishFixture, requestsFor, until, useDeliveryApp, useReceivers, type EndpointJson } from './support/delivery.js';

const HEX24 = /^[0-9a-f]{24}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '5f0000000000000000000bad';

interface AttemptJson {
  at: string;
  duration_ms: number;
  status: number | null;
  response_body: string | null;
  error: string | null;
  error_kind: string | null;
  trigger: string;
}
interface DeliveryJson {
  id: string;
  webhook_id: string;
  endpoint_id: string;
  kind: string;
  state: string;
  attempts: AttemptJson[];
  [key: string]: unknown;
}

const receiver = useReceivers();
const t = useDeliveryApp({ retrySchedule: [50, 50] }, { deleteEndpointsAfterEach: [AUTH, OTHER_AUTH] });

async function publishTour(): Promise<string> {
  return (await publishFixture(t.hooks)).id;
}

async function deliveries(endpointId: string, query = ''): Promise<{ deliveries: DeliveryJson[]; cursor: { limit: number; before: string | null } }> {
  const res = await request(t.app).get(`/v3/edit/webhooks/${endpointId}/deliveries${query}`).set(AUTH).expect(200);
  return res.body as { deliveries: DeliveryJson[]; cursor: { limit: number; before: string | null } };
}

describe('endpoint objects', () => {
  it('should answer 201 {webhook} with the documented fields and never a secret', async () => {
    const target = await receiver();
    const res = await request(t.app)
      .post('/v3/edit/webhooks')
      .set(AUTH)
      .send({ url: `${target.url}in`, name: 'Warehouse', topics: ['tour.started'], experience_ids: ['5fb6e4ab8af58a00073f0d98'] })
      .expect(201);
    const webhook = res.body.webhook as EndpointJson;
    expect(webhook).toMatchObject({
      uid: `${target.url}in`,
      name: 'Warehouse',
      topics: ['tour.started'],
      experience_ids: ['5fb6e4ab8af58a00073f0d98'],
      last_item_at: null,
      last_item_state: null,
      last_item_error: null,
    });
    expect(webhook.id).toMatch(HEX24);
    expect(webhook.created_at).toMatch(ISO);
    expect(webhook.updated_at).toMatch(ISO);
    expect(JSON.stringify(res.body)).not.toMatch(/secret|whsec_/i);
    const list = await request(t.app).get('/v3/edit/webhooks').set(AUTH).expect(200);
    expect(list.body.webhooks.map((w: EndpointJson) => w.id)).toEqual([webhook.id]);
    expect(JSON.stringify(list.body)).not.toMatch(/secret|whsec_/i);
    const one = await request(t.app).get(`/v3/edit/webhooks/${webhook.id}`).set(AUTH).expect(200);
    expect(one.body.webhook.id).toBe(webhook.id);
  });

  it('should list only the account\'s own endpoints', async () => {
    const target = await receiver();
    const mine = await createEndpoint(t.app, t.db.db, { url: `${target.url}mine`, topics: 'ping' });
    const theirs = await createEndpoint(t.app, t.db.db, { url: `${target.url}theirs`, topics: 'ping' }, OTHER_AUTH);
    const list = await request(t.app).get('/v3/edit/webhooks').set(AUTH).expect(200);
    expect(list.body.webhooks.map((w: EndpointJson) => w.id)).toEqual([mine.id]);
    await request(t.app).get(`/v3/edit/webhooks/${theirs.id}`).set(AUTH).expect(404);
    await request(t.app).delete(`/v3/edit/webhooks/${theirs.id}`).set(AUTH).expect(404);
    await request(t.app).get(`/v3/edit/webhooks/${theirs.id}`).set(OTHER_AUTH).expect(200);
  });
});

describe('ping', () => {
  it('should send a ping when an endpoint is created', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const pings = target.requests.filter((r) => bodyOf(r).kind === 'ping');
    expect(pings).toHaveLength(1);
    expect(bodyOf(pings[0]!).data).toMatchObject({ account: { id: ACCOUNT.id } });
    const history = await deliveries(endpoint.id);
    expect(history.deliveries.map((d) => [d.kind, d.state])).toEqual([['ping', 'succeeded']]);
  });

  it('should answer the attempt and the endpoint\'s health', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    expect(res.body.ping).toMatchObject({ state: 'succeeded', status: 200, error: null });
    expect(res.body.ping.id).toMatch(HEX24);
    expect(res.body.ping.duration_ms).toEqual(expect.any(Number));
    expect(requestsFor(target, res.body.ping.id)).toHaveLength(1);
    expect(res.body.webhook.id).toBe(endpoint.id);
    expect(res.body.webhook.health).toMatchObject({ status: 'active', attempts: 2, success_rate: 1 });
    expect(res.body.webhook.health.latency_ms.p50).toEqual(expect.any(Number));
    expect(res.body.webhook.health.latency_ms.avg).toEqual(expect.any(Number));
    expect(res.body.webhook.last_item_state).toBe('valid');
  });

  it('should report a failing ping and an inactive endpoint', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 500, body: 'down' }));
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    expect(res.body.ping).toMatchObject({ state: 'failed', status: 500, error: 'HTTP 500' });
    expect(res.body.webhook.health).toMatchObject({ status: 'inactive', attempts: 2, success_rate: 0.5 });
    expect(res.body.webhook).toMatchObject({ last_item_state: 'error', last_item_error: 'HTTP 500' });
    // A ping is one attempt: never retried.
    const history = await deliveries(endpoint.id);
    expect(history.deliveries[0]!.attempts).toHaveLength(1);
  });

  it('should re-enable an endpoint disabled by a 410 when a ping succeeds, and not when it fails', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 410 }));
    const gone = await publishTour();
    await deliveryInState(t.db.db, gone, endpoint.id, 'failed');
    await disabledEndpoint(t.app, endpoint.id);
    target.setHandler(() => ({ status: 500 }));
    const failing = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    expect(failing.body.ping.status).toBe(500);
    expect(failing.body.webhook.state).toBe('disabled');
    target.setHandler(() => ({ status: 200 }));
    const ok = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    expect(ok.body.ping.status).toBe(200);
    expect(ok.body.webhook).toMatchObject({ state: 'enabled', disabled_reason: null });
    const id = await publishTour();
    await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
  });

  it('should be available as hooks.ping()', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const result = await t.hooks.ping(ACCOUNT.id, endpoint.id);
    expect(result).toMatchObject({ state: 'succeeded', status: 200, error: null });
    expect(requestsFor(target, result.id)).toHaveLength(1);
  });
});

describe('delivery history', () => {
  it('should list deliveries newest first, each with its attempts', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 500, body: 'nope' }));
    const failed = await publishTour();
    await deliveryInState(t.db.db, failed, endpoint.id, 'failed');
    target.setHandler(() => ({ status: 202, body: 'queued' }));
    const ok = await publishTour();
    await deliveryInState(t.db.db, ok, endpoint.id, 'succeeded');
    const history = await deliveries(endpoint.id);
    expect(history.deliveries.map((d) => d.webhook_id)).toEqual([ok, failed, expect.any(String)]);
    expect(history.deliveries.map((d) => d.kind)).toEqual(['tour.started', 'tour.started', 'ping']);
    const [latest, older] = history.deliveries;
    expect(latest).toMatchObject({ state: 'succeeded', endpoint_id: endpoint.id });
    expect(latest!.id).toMatch(HEX24);
    expect(latest!.attempts).toHaveLength(1);
    expect(latest!.attempts[0]).toMatchObject({ at: expect.stringMatching(ISO), duration_ms: expect.any(Number), status: 202, response_body: 'queued', error: null, error_kind: null, trigger: 'publish' });
    expect(older!.state).toBe('failed');
    expect(older!.attempts.map((a) => [a.status, a.response_body, a.error, a.trigger])).toEqual([
      [500, 'nope', 'HTTP 500', 'publish'],
      [500, 'nope', 'HTTP 500', 'retry'],
      [500, 'nope', 'HTTP 500', 'retry'],
    ]);
    const times = older!.attempts.map((a) => Date.parse(a.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('should keep the first 4 KiB of a response body', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const big = 'abcdefghij'.repeat(1024); // 10 KiB
    target.setHandler(() => ({ status: 200, body: big }));
    const id = await publishTour();
    await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    const [delivery] = (await deliveries(endpoint.id)).deliveries;
    expect(delivery!.attempts[0]!.response_body).toBe(big.slice(0, 4096));
  });

  it('should page with limit and before, without overlap or gaps', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const published: string[] = [];
    for (let i = 0; i < 5; i++) published.push(await publishTour());
    for (const id of published) await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    const all = (await deliveries(endpoint.id)).deliveries.map((d) => d.id);
    expect(all).toHaveLength(6);
    const seen: string[] = [];
    let query = '?limit=2';
    for (let page = 0; page < 10; page++) {
      const body = await deliveries(endpoint.id, query);
      expect(body.deliveries.length).toBeLessThanOrEqual(2);
      expect(body.cursor.limit).toBe(2);
      seen.push(...body.deliveries.map((d) => d.id));
      if (!body.cursor.before) break;
      query = `?limit=2&before=${body.cursor.before}`;
    }
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(6);
    expect((await deliveries(endpoint.id, '?limit=2')).deliveries.map((d) => d.webhook_id)).toEqual([published[4], published[3]]);
  });

  it('should filter by state', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 500 }));
    const failed = await publishTour();
    await deliveryInState(t.db.db, failed, endpoint.id, 'failed');
    target.setHandler(() => ({ status: 200 }));
    const ok = await publishTour();
    await deliveryInState(t.db.db, ok, endpoint.id, 'succeeded');
    expect((await deliveries(endpoint.id, '?state=failed')).deliveries.map((d) => d.webhook_id)).toEqual([failed]);
    expect((await deliveries(endpoint.id, '?state=succeeded')).deliveries.map((d) => [d.webhook_id, d.kind])).toEqual([
      [ok, 'tour.started'],
      [expect.any(String), 'ping'],
    ]);
    expect((await deliveries(endpoint.id, '?state=cancelled')).deliveries).toEqual([]);
  });

  it.each([
    ['an unknown state', '?state=lost'],
    ['a zero limit', '?limit=0'],
    ['a limit over 500', '?limit=501'],
    ['a forged cursor', '?before=yesterday'],
  ])('should answer 422 for %s', async (_label, query) => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const res = await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}/deliveries${query}`).set(AUTH).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.any(String)] });
  });

  it('should answer 404 for another account\'s endpoint and its deliveries', async () => {
    const target = await receiver();
    const theirs = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] }, OTHER_AUTH);
    const res = await request(t.app).get(`/v3/edit/webhooks/${theirs.id}/deliveries`).set(AUTH).expect(404);
    expect(res.body).toEqual({ code: 404, messages: [expect.any(String)] });
    const [theirDelivery] = (await request(t.app).get(`/v3/edit/webhooks/${theirs.id}/deliveries`).set(OTHER_AUTH).expect(200)).body.deliveries as DeliveryJson[];
    await request(t.app).get(`/v3/edit/deliveries/${theirDelivery!.id}`).set(AUTH).expect(404);
    await request(t.app).post(`/v3/edit/deliveries/${theirDelivery!.id}/retry`).set(AUTH).expect(404);
    await request(t.app).post(`/v3/edit/webhooks/${theirs.id}/ping`).set(AUTH).expect(404);
    await request(t.app).post(`/v3/edit/webhooks/${theirs.id}/replay`).set(AUTH).send({ since: new Date(Date.now() - 60_000).toISOString() }).expect(404);
  });

  it('should answer one delivery by id', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const webhookId = await publishTour();
    await deliveryInState(t.db.db, webhookId, endpoint.id, 'succeeded');
    const [listed] = (await deliveries(endpoint.id)).deliveries;
    const res = await request(t.app).get(`/v3/edit/deliveries/${listed!.id}`).set(AUTH).expect(200);
    expect(res.body.delivery).toEqual(listed);
    expect(res.body.delivery).toMatchObject({ webhook_id: webhookId, endpoint_id: endpoint.id, kind: 'tour.started', state: 'succeeded' });
  });
});

describe('last_item_*', () => {
  it('should reflect the latest attempt on the endpoint', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const show = async () => (await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}`).set(AUTH).expect(200)).body.webhook as EndpointJson;
    // The creation ping.
    const afterPing = await until(async () => ((await show()).last_item_state === 'valid' ? show() : undefined));
    expect(afterPing.last_item_error).toBeNull();

    target.setHandler(() => ({ status: 503 }));
    const failed = await publishTour();
    const delivery = await deliveryInState(t.db.db, failed, endpoint.id, 'failed');
    const lastAttempt = delivery.attempt_log[delivery.attempt_log.length - 1]!;
    const afterFailure = await until(async () => {
      const shown = await show();
      return shown.last_item_at === lastAttempt.at.toISOString() ? shown : undefined;
    });
    expect(afterFailure).toMatchObject({ last_item_state: 'error', last_item_error: 'HTTP 503' });

    target.setHandler(() => ({ status: 200 }));
    const ok = await publishTour();
    const okDelivery = await deliveryInState(t.db.db, ok, endpoint.id, 'succeeded');
    const afterSuccess = await until(async () => {
      const shown = await show();
      return shown.last_item_at === okDelivery.attempt_log[0]!.at.toISOString() ? shown : undefined;
    });
    expect(afterSuccess).toMatchObject({ last_item_state: 'valid', last_item_error: null });
  });
});

describe('errors of the management API', () => {
  const routes: Array<[string, string]> = [
    ['get', '/v3/edit/webhooks'],
    ['post', '/v3/edit/webhooks'],
    ['get', `/v3/edit/webhooks/${UNKNOWN_ID}`],
    ['delete', `/v3/edit/webhooks/${UNKNOWN_ID}`],
    ['get', `/v3/edit/webhooks/${UNKNOWN_ID}/deliveries`],
    ['post', `/v3/edit/webhooks/${UNKNOWN_ID}/ping`],
    ['post', `/v3/edit/webhooks/${UNKNOWN_ID}/replay`],
    ['get', `/v3/edit/deliveries/${UNKNOWN_ID}`],
    ['post', `/v3/edit/deliveries/${UNKNOWN_ID}/retry`],
  ];

  it.each(routes)('should answer 403 {code, messages} to %s %s without an account secret', async (method, path) => {
    const res = await request(t.app)[method as 'get'](path).send(method === 'get' || method === 'delete' ? undefined : { since: 1 });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ code: 403, messages: [expect.any(String)] });
  });

  it.each(routes)('should answer 403 to %s %s with an unknown account secret', async (method, path) => {
    const res = await request(t.app)[method as 'get'](path).set('X-Account-Secret', 'acct_nobody_0123456789abcdef');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ code: 403, messages: [expect.any(String)] });
  });

  it.each(routes.filter(([, path]) => path.includes(UNKNOWN_ID)))('should answer 404 {code, messages} to %s %s for an unknown id', async (method, path) => {
    const res = await request(t.app)[method as 'post'](path).set(AUTH).send(path.endsWith('/replay') ? { since: new Date(Date.now() - 1000).toISOString() } : undefined);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, messages: [expect.stringContaining(UNKNOWN_ID)] });
  });

  it.each([
    ['get', '/v3/edit/webhooks/not-an-id'],
    ['delete', '/v3/edit/webhooks/123'],
    ['get', '/v3/edit/deliveries/zzzzzzzzzzzzzzzzzzzzzzzz'],
    ['post', '/v3/edit/deliveries/nope/retry'],
    ['get', '/v3/edit/webhooks/5f885a88e7daf3000e3eb4f6/nothing-here'], // (at /, other /v3/edit paths are the host's)
  ])('should answer 404 to %s %s', async (method, path) => {
    const res = await request(t.app)[method as 'get'](path).set(AUTH);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, messages: [expect.any(String)] });
  });

  it.each([
    ['a text/plain body', 'text/plain', 'url=x', 415],
    ['a form body', 'application/x-www-form-urlencoded', 'url=x', 415],
    ['malformed JSON', 'application/json', '{"url": ', 400],
    ['a JSON array', 'application/json', '[]', 400],
    ['an empty body', 'application/json', '', 400],
  ])('should answer %s to POST /v3/edit/webhooks with {code, messages}', async (_label, type, body, status) => {
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).set('Content-Type', type).send(body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ code: status, messages: [expect.any(String)] });
  });

  it('should answer 415 to a replay with a non-JSON body', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/replay`).set(AUTH).set('Content-Type', 'text/plain').send('since=1');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ code: 415, messages: [expect.any(String)] });
  });

  it('should answer 422 {code, messages} without a url', async () => {
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ topics: 'ping' }).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.stringMatching(/url/)] });
  });

  it('should accept the account secret as a body parameter on create', async () => {
    const target = await receiver();
    const res = await request(t.app).post('/v3/edit/webhooks').send({ url: target.url, topics: 'ping', account_secret: ACCOUNT.secret }).expect(201);
    expect(res.body.webhook.uid).toBe(target.url);
  });
});
