// Customer.io as a destination on the delivery engine: publish → Track API, deliveries in the same log
// (GET …/customerio/deliveries), retry then success, 401 final with the integration marked, skipped profiles,
// activity kinds never reaching webhook endpoints, the rate limit held, manual retry, replay, delete cancels.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { ACCOUNT } from '../../helpers/app.js';
import { startTrackApi, type TrackApi } from '../../helpers/track-api.js';
import { AUTH, createEndpoint, publishFixture, topicData, until, useDeliveryApp, useReceivers } from '../support/delivery.js';

const PATH = '/v3/edit/integrations/customerio';
const SITE = 'site_delivery';
const KEY = 'key_delivery_0123456789';

interface AttemptJson { status: number | null; error: string | null; error_kind: string | null; trigger: string; request?: { method: string; url: string; bytes: number } }
interface DeliveryJson { id: string; webhook_id: string; state: string; kind: string; last_error: string | null; destination?: { kind: string; id: string }; attempts: AttemptJson[] }

// The second delay is long so a Retry-After of 1 s (capped at the next step) is honoured in full; a
// 5 s timeout (2.5 s per Track API request) keeps a loaded machine from turning answers into timeouts.
const t = useDeliveryApp({ retrySchedule: [100, 2000, 100], timeoutMs: 5000 });
const receiver = useReceivers();
let api: TrackApi;

beforeAll(async () => {
  api = await startTrackApi({ siteId: SITE, apiKey: KEY });
});
afterAll(() => api.close());

async function connect(extra: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await request(t.app).put(PATH).set(AUTH).send({ site_id: SITE, api_key: KEY, track_url: api.baseUrl, ...extra }).expect(200);
  return res.body.integration as { id: string };
}

async function deliveries(query = ''): Promise<{ deliveries: DeliveryJson[]; cursor: { limit: number; before: string | null } }> {
  const res = await request(t.app).get(`${PATH}/deliveries${query}`).set(AUTH).expect(200);
  return res.body as { deliveries: DeliveryJson[]; cursor: { limit: number; before: string | null } };
}

async function deliveryOf(webhookId: string, state?: string): Promise<DeliveryJson> {
  return until(async () => (await deliveries()).deliveries.find((d) => d.webhook_id === webhookId && (!state || d.state === state)), 10_000, `delivery ${state ?? ''}`);
}

function publishFor(uid: string | null, topic: 'tour.started' | 'tour.completed' | 'tour.exited' | 'survey.completed' = 'tour.started') {
  const data = topicData(topic);
  (data.profile as Record<string, unknown>).uid = uid;
  return t.hooks.publish(ACCOUNT.id, topic, data as never);
}

beforeEach(async () => {
  await request(t.app).delete(PATH).set(AUTH);
});

describe('publish → Customer.io', () => {
  it('should send a published tour.started to the Track API and list it as succeeded, with the request summary', async () => {
    const integration = await connect();
    const { id } = await publishFor('cio-u1');
    const delivery = await deliveryOf(id, 'succeeded');
    expect(delivery).toMatchObject({ kind: 'tour.started', destination: { kind: 'integration', id: integration.id } });
    expect(delivery.attempts[0]).toMatchObject({ status: 200, error: null, request: { method: 'POST', url: `${api.baseUrl}/api/v1/customers/cio-u1/events` } });
    const event = api.events.find((e) => e.customerId === 'cio-u1');
    expect(event).toMatchObject({ name: 'Started Tour (Chameleon)', data: { tour_id: '5fb6e4ab8af58a00073f0d98' } });
    expect(api.people.get('cio-u1')?.identifies).toBe(1);
  });

  it('should retry a 500 on the schedule, then succeed, and Customer.io gets the event once', async () => {
    await connect();
    await publishFor('cio-u2'); // identified
    await until(() => api.events.some((e) => e.customerId === 'cio-u2'));
    api.failNext(2, { status: 500, body: 'oops' }, '/cio-u2/');
    const { id } = await publishFor('cio-u2', 'tour.completed');
    const delivery = await deliveryOf(id, 'succeeded');
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(delivery.attempts[0]!.error).toBeTruthy();
    expect(api.events.filter((e) => e.customerId === 'cio-u2' && e.name === 'Completed Tour (Chameleon)')).toHaveLength(1);
  });

  it('should honour Retry-After on a 429', async () => {
    await connect();
    await publishFor('cio-u3');
    await until(() => api.events.some((e) => e.customerId === 'cio-u3'));
    api.failNext(1, { status: 429, headers: { 'retry-after': '1' } }, '/cio-u3/');
    const before = Date.now();
    const { id } = await publishFor('cio-u3', 'tour.exited');
    const delivery = await deliveryOf(id, 'succeeded');
    expect(delivery.attempts.map((a) => a.status)).toEqual([429, 200]);
    const sent = api.events.find((e) => e.customerId === 'cio-u3' && e.name === 'Exited Tour (Chameleon)')!;
    expect(sent.receivedAt - before).toBeGreaterThanOrEqual(900);
  });

  it('should end a 401 at once (no retry) and mark the integration "credentials rejected"', async () => {
    await connect({ api_key: 'wrong-key' });
    const { id } = await publishFor('cio-u4');
    const delivery = await deliveryOf(id, 'failed');
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]!.status).toBe(401);
    const integration = await until(async () => {
      const res = await request(t.app).get(PATH).set(AUTH).expect(200);
      return res.body.integration.last_item_state === 'error' ? res.body.integration : undefined;
    });
    expect(integration.last_item_error).toMatch(/credentials rejected/);
    // New keys clear the mark.
    const fixed = await request(t.app).put(PATH).set(AUTH).send({ site_id: SITE, api_key: KEY, track_url: api.baseUrl }).expect(200);
    expect(fixed.body.integration.last_item_state).toBeNull();
  });

  it.each([400, 404])('should end a %s at once, logged with the response', async (status) => {
    await connect();
    await publishFor(`cio-final-${status}`);
    await until(() => api.events.some((e) => e.customerId === `cio-final-${status}`));
    api.failNext(1, { status, body: '{"meta":{"errors":["bad"]}}' }, `/cio-final-${status}/`);
    const { id } = await publishFor(`cio-final-${status}`, 'tour.completed');
    const delivery = await deliveryOf(id, 'failed');
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({ status });
  });

  it('should skip a profile without a uid, with the reason, and send nothing', async () => {
    await connect();
    const before = api.requests.length;
    const { id } = await publishFor(null);
    const delivery = await deliveryOf(id, 'skipped');
    expect(delivery.last_error ?? delivery.attempts[0]?.error).toMatch(/no uid/);
    expect(api.requests.length).toBe(before);
  });

  it('should trim data over 100,000 bytes and say so in the attempt log', async () => {
    await connect();
    const data = topicData('tour.started');
    (data.profile as Record<string, unknown>).uid = 'cio-big';
    const { id } = await t.hooks.publish(ACCOUNT.id, 'tour.started', { ...data, url: `https://app.example.com/${'p'.repeat(120_000)}` } as never);
    const delivery = await deliveryOf(id, 'succeeded');
    expect((delivery.attempts[0]!.request as { warnings?: string[] }).warnings?.[0]).toMatch(/^data\.url was trimmed/);
    const event = api.events.find((e) => e.customerId === 'cio-big')!;
    expect(Buffer.byteLength(JSON.stringify(event.data))).toBeLessThanOrEqual(100_000);
  });

  it('should send to the email with identifier email', async () => {
    await connect({ identifier: 'email' });
    const { id } = await publishFor('ignored-uid');
    await deliveryOf(id, 'succeeded');
    expect(api.events.some((e) => e.customerId === 'jane@example.com')).toBe(true);
  });

  it('should forward topics mapped in events, and not others', async () => {
    await connect({ events: { 'survey.completed': 'Completed Survey (Chameleon)' } });
    const { id } = await publishFor('cio-u5', 'survey.completed');
    await deliveryOf(id, 'succeeded');
    expect(api.events.find((e) => e.customerId === 'cio-u5')?.name).toBe('Completed Survey (Chameleon)');
    const snoozed = await publishFixture(t.hooks, 'tour.snoozed');
    expect(snoozed.deliveries).toBe(0);
  });
});

describe('activity kinds', () => {
  it('should send tour.step.seen only with step_seen on, and never to webhook endpoints', async () => {
    const target = await receiver();
    await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started', 'tour.completed'] });
    const seen: Record<string, unknown> = { ...topicData('tour.started'), step_number: 2, url: 'https://app.example.com/x' };
    (seen.profile as Record<string, unknown>).uid = 'cio-seen';
    await connect();
    expect((await t.hooks.publish(ACCOUNT.id, 'tour.step.seen', seen as never)).deliveries).toBe(0);
    await connect({ step_seen: true, previews: true });
    const { id, deliveries: count } = await t.hooks.publish(ACCOUNT.id, 'tour.step.seen', seen as never);
    expect(count).toBe(1);
    await deliveryOf(id, 'succeeded');
    expect(api.events.find((e) => e.customerId === 'cio-seen')).toMatchObject({ name: 'Step Seen (Chameleon)', data: { step_number: 2, url: 'https://app.example.com/x' } });
    const previewed = await t.hooks.publish(ACCOUNT.id, 'tour.previewed', { profile: seen.profile, tour: seen.tour } as never);
    await deliveryOf(previewed.id, 'succeeded');
    expect(target.requests.filter((r) => JSON.parse(r.body.toString()).kind !== 'ping')).toHaveLength(0);
    await expect(t.hooks.publish(ACCOUNT.id, 'tour.step.seen', { tour: seen.tour } as never)).rejects.toMatchObject({ code: 'CH_ERR_INVALID_PAYLOAD' });
  });
});

describe('rate limit', () => {
  it('should hold the integration to rate_limit requests per second', async () => {
    await connect({ rate_limit: 5 });
    await publishFor('cio-rate');
    await until(() => api.events.some((e) => e.customerId === 'cio-rate'));
    const published = await Promise.all(Array.from({ length: 15 }, () => publishFor('cio-rate', 'tour.completed')));
    for (const p of published) await deliveryOf(p.id, 'succeeded');
    const times = api.events.filter((e) => e.customerId === 'cio-rate' && e.name === 'Completed Tour (Chameleon)').map((e) => e.receivedAt).sort((a, b) => a - b);
    expect(times).toHaveLength(15);
    // One second's burst (5), then 10 more at 5/s: 2 s from the first slot to the last (more on a slow
    // machine, never less; arrival times carry a little network jitter, hence 1.8 s).
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThanOrEqual(1800);
    // And never more than the burst plus the rate in any one second.
    for (let i = 0; i < times.length; i++) expect(times.filter((x) => x >= times[i]! && x < times[i]! + 1000).length).toBeLessThanOrEqual(11);
  });
});

describe('deliveries, retry, replay and delete', () => {
  it('should page deliveries newest first like endpoint deliveries, and 404 without an integration', async () => {
    await request(t.app).get(`${PATH}/deliveries`).set(AUTH).expect(404);
    await connect();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await publishFor('cio-page')).id);
    for (const id of ids) await deliveryOf(id, 'succeeded');
    const first = await deliveries('?limit=2');
    expect(first.deliveries.map((d) => d.webhook_id)).toEqual([ids[2], ids[1]]);
    expect(first.cursor.before).toBeTruthy();
    const second = await deliveries(`?limit=2&before=${encodeURIComponent(first.cursor.before!)}`);
    expect(second.deliveries.map((d) => d.webhook_id)).toEqual([ids[0]]);
    const failedOnly = await deliveries('?state=failed');
    expect(failedOnly.deliveries).toHaveLength(0);
    await request(t.app).get(`${PATH}/deliveries?state=bogus`).set(AUTH).expect(422);
  });

  it('should retry a failed delivery by hand (POST /v3/edit/deliveries/:id/retry)', async () => {
    await connect();
    await publishFor('cio-manual');
    await until(() => api.events.some((e) => e.customerId === 'cio-manual'));
    api.failNext(1, { status: 400 }, '/cio-manual/');
    const { id } = await publishFor('cio-manual', 'tour.completed');
    const failed = await deliveryOf(id, 'failed');
    const res = await request(t.app).post(`/v3/edit/deliveries/${failed.id}/retry`).set(AUTH).expect(200);
    expect(res.body.delivery.state).toBe('succeeded');
    expect(res.body.delivery.attempts.map((a: AttemptJson) => a.trigger)).toEqual(['publish', 'manual']);
  });

  it('should replay activity since a time as new deliveries, which Customer.io deduplicates by id', async () => {
    await connect();
    const since = new Date(Date.now() - 1000).toISOString();
    const { id } = await publishFor('cio-replay');
    await deliveryOf(id, 'succeeded');
    const duplicates = api.duplicates;
    const res = await request(t.app).post(`${PATH}/replay`).set(AUTH).send({ since }).expect(202);
    expect(res.body.replay.deliveries).toBeGreaterThanOrEqual(1);
    await until(async () => (await deliveries()).deliveries.filter((d) => d.webhook_id === id && d.state === 'succeeded').length === 2);
    expect(api.duplicates).toBeGreaterThan(duplicates);
    expect(api.events.filter((e) => e.customerId === 'cio-replay')).toHaveLength(1);
  });

  it('should cancel pending deliveries when the integration is deleted', async () => {
    await connect();
    await publishFor('cio-del');
    await until(() => api.events.some((e) => e.customerId === 'cio-del'));
    api.failNext(2, { status: 503 }, '/cio-del/');
    const { id } = await publishFor('cio-del', 'tour.completed');
    // After the second failure the next attempt is 2 s away: pending long enough to delete.
    const pending = await until(async () => {
      const raw = await t.db.db.collection('chameleon_deliveries').findOne({ webhook_id: new ObjectId(id), destination_kind: 'integration' });
      return raw && raw.state === 'pending' && raw.attempts === 2 && raw.lease_until === null ? raw : undefined;
    });
    await request(t.app).delete(PATH).set(AUTH).expect(200);
    const cancelled = await until(async () => {
      const raw = await t.db.db.collection('chameleon_deliveries').findOne({ _id: pending._id });
      return raw?.state === 'cancelled' ? raw : undefined;
    });
    expect(cancelled.state).toBe('cancelled');
  });
});
