/**
 * Small things people trip on in data out: a delivery in flight is listed as `sending`; the
 * `ping` payload matches its own schema and the seed with static and stored accounts; a replay to a
 * disabled endpoint is refused with a reason; health latency counts successful attempts only.
 */
import { describe, it, expect } from 'vitest';
import request from 'supertest';
import { ACCOUNT, createTestApp } from '../helpers/app.js';
import { validateTopicData } from '../../lib/topics/index.js';
import { AUTH, OTHER_AUTH, bodyOf, createEndpoint, disabledEndpoint, fastDelivery, publishFixture, requestsFor, until, useDeliveryApp, useReceivers } from './support/delivery.js';

describe('data out, small things', () => {
  const t = useDeliveryApp({ retrySchedule: [600_000], timeoutMs: 5000 }, { deleteEndpointsAfterEach: [AUTH] });
  const receiver = useReceivers();

  it('should list a delivery whose first attempt is in flight as sending, then as it ended', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 200, delayMs: 1500 }));
    const { id } = await publishFixture(t.hooks);
    await until(() => requestsFor(target, id).length === 1, 10_000, 'the attempt to reach the receiver');
    const during = await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}/deliveries`).set(AUTH).expect(200);
    const listed = (during.body.deliveries as Array<Record<string, unknown>>).find((d) => d.webhook_id === id);
    expect(listed).toMatchObject({ webhook_id: id, endpoint_id: endpoint.id, kind: 'tour.started', state: 'sending', attempts_count: 1, attempts: [] });
    const onlySending = await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}/deliveries?state=sending`).set(AUTH).expect(200);
    expect((onlySending.body.deliveries as Array<Record<string, unknown>>).map((d) => d.webhook_id)).toContain(id);
    // The same delivery opened by its id while its first attempt is in flight.
    const one = await request(t.app).get(`/v3/edit/deliveries/${String(listed!.id)}`).set(AUTH).expect(200);
    expect(one.body.delivery).toMatchObject({ id: listed!.id, webhook_id: id, endpoint_id: endpoint.id, state: 'sending', attempts_count: 1 });
    // Another account does not see it.
    await request(t.app).get(`/v3/edit/deliveries/${String(listed!.id)}`).set(OTHER_AUTH).expect(404);
    const after = await until(async () => {
      const res = await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}/deliveries`).set(AUTH).expect(200);
      const d = (res.body.deliveries as Array<Record<string, unknown>>).find((x) => x.webhook_id === id);
      return d?.state === 'succeeded' ? d : undefined;
    }, 10_000, 'the delivery to end');
    expect(after.id).toBe(listed!.id); // the same delivery, now written
    const ended = await request(t.app).get(`/v3/edit/deliveries/${String(listed!.id)}`).set(AUTH).expect(200);
    expect(ended.body.delivery).toMatchObject({ id: listed!.id, state: 'succeeded', attempts_count: 1 });
    const all = await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}/deliveries`).set(AUTH).expect(200);
    expect((all.body.deliveries as Array<Record<string, unknown>>).filter((d) => d.webhook_id === id)).toHaveLength(1);
  });

  it('should refuse a replay to a disabled endpoint with a reason, and create nothing', async () => {
    const target = await receiver(() => ({ status: 410 }));
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    await disabledEndpoint(t.app, endpoint.id); // its creation ping got 410 Gone
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/replay`).set(AUTH).send({ since: new Date(Date.now() - 60_000).toISOString() }).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.stringMatching(/endpoint is disabled \(410 Gone\).*ping/)] });
    const list = await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}/deliveries`).set(AUTH).expect(200);
    expect((list.body.deliveries as Array<{ kind: string }>).filter((d) => d.kind !== 'ping')).toEqual([]);
  });

  it('should count only successful attempts in health latency and show failures apart', async () => {
    let slowFailure = true;
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => (slowFailure ? { status: 500, delayMs: 800 } : { status: 200 }));
    const { id } = await publishFixture(t.hooks);
    await until(() => requestsFor(target, id).length === 1, 10_000, 'the failing attempt');
    slowFailure = false;
    const ping = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    const health = await until(async () => {
      const res = await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}`).set(AUTH).expect(200);
      return res.body.webhook.health.failures.count === 1 ? res.body.webhook.health : undefined;
    }, 10_000, 'the failure in health');
    // Successes: the creation ping and the ping above; the 800 ms failure is not latency.
    expect(health.attempts).toBe(3);
    expect(health.success_rate).toBeCloseTo(2 / 3, 2);
    expect(health.latency_ms.p95).toBeLessThan(800);
    expect(health.latency_ms.avg).toBeLessThan(800);
    expect(health.failures).toEqual({ count: 1, last_at: expect.any(String), last_error: 'HTTP 500' });
    expect(ping.body.webhook.health.failures).toBeDefined();
  });
});

describe('the ping payload', () => {
  const receiver = useReceivers();

  it.each([
    ['a static account without domain', { id: 'acme', name: 'Acme', secret: ACCOUNT.secret, webhookSecret: ACCOUNT.webhookSecret }, { id: 'acme', name: 'Acme' }],
    ['a static account with a domain', { id: 'acme', name: 'Acme', domain: 'acme.co', secret: ACCOUNT.secret, webhookSecret: ACCOUNT.webhookSecret }, { id: 'acme', domain: 'acme.co', name: 'Acme' }],
  ])('should match the ping schema and the seed for %s', async (_label, account, expected) => {
    const target = await receiver();
    const app = await createTestApp({ accounts: [account], delivery: fastDelivery() });
    try {
      await createEndpoint(app.app, app.db.db, { url: target.url, topics: ['tour.started'] });
      const body = bodyOf(target.requests[0]!);
      expect(body.kind).toBe('ping');
      expect(body.data).toEqual({ account: expected });
      expect(() => validateTopicData('ping', body.data)).not.toThrow();
    } finally {
      await app.hooks.close();
    }
  });

  it('should match the ping schema and the seed for a stored account', async () => {
    const target = await receiver();
    const app = await createTestApp({ accounts: [], delivery: fastDelivery() });
    try {
      const created = await app.hooks.accounts.create({ name: 'Stored Co', domain: 'stored.co' });
      await app.hooks.endpoints.create(created.id, { url: target.url, topics: ['tour.started'] });
      await until(() => target.requests.length === 1, 10_000, 'the creation ping');
      const body = bodyOf(target.requests[0]!);
      expect(body.data).toEqual({ account: { id: created.id, domain: 'stored.co', name: 'Stored Co' } });
      expect(() => validateTopicData('ping', body.data)).not.toThrow();
      await expect(app.hooks.accounts.create({ name: 'Bad', domain: '' })).rejects.toMatchObject({ code: 'CH_ERR_UNPROCESSABLE' });
    } finally {
      await app.hooks.close();
    }
  });
});
