// Endpoint and delivery lifecycle: auto-disable after a failure run (reset by a success), delete cancels pending deliveries, close() drains in-flight attempts.
import request from 'supertest';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ChameleonError } from '../../lib/index.js';
import { AUTH, collections, createEndpoint, deliveryInState, deliveryOf, deliveryWhen, disabledEndpoint, fastDelivery, publishFixture, requestsFor, sleep, until, useDeliveryApp, useReceivers } from './support/delivery.js';

const receiver = useReceivers();

async function endpointDoc(t: TestApp, id: string) {
  return (await collections(t.db.db).endpoints.findOne({ _id: new ObjectId(id) }))!;
}

/**
 * Publishes `tour.started` to a new endpoint whose receiver answers 500, and waits until the
 * delivery has its first (failed) attempt logged and is still pending.
 */
async function pendingAfterAFailure(t: TestApp) {
  const target = await receiver(() => ({ status: 500 }));
  const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
  const { id } = await publishFixture(t.hooks);
  const pending = await deliveryWhen(t.db.db, id, endpoint.id, (doc) => doc.state === 'pending' && doc.attempt_log.length === 1);
  return { target, endpoint, id, pending };
}

describe('auto-disable', () => {
  // Retries 1 s apart: the delivery is still being retried when the endpoint is disabled (after 500 ms).
  const t = useDeliveryApp({ retrySchedule: Array.from({ length: 9 }, () => 1000), autoDisableAfterMs: 500 }, { deleteEndpointsAfterEach: [AUTH] });

  it('should disable, with a reason, an endpoint that has failed continuously for autoDisableAfterMs', async () => {
    const target = await receiver(() => ({ status: 500 }));
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started', 'tour.completed'] });
    const { id } = await publishFixture(t.hooks);
    const disabled = await disabledEndpoint(t.app, endpoint.id);
    expect(disabled.disabled_reason).toBe('Failed continuously for 500 ms');
    expect(disabled.disabled_at).toEqual(expect.any(String));
    // The delivery in progress stops; nothing more is sent, and new webhooks are not delivered.
    const cancelled = await deliveryInState(t.db.db, id, endpoint.id, 'cancelled');
    expect(cancelled.last_error).toMatch(/disabled/);
    const sent = requestsFor(target, id).length;
    const later = await publishFixture(t.hooks, 'tour.completed');
    expect(later.deliveries).toBe(0);
    await sleep(400);
    expect(requestsFor(target, id)).toHaveLength(sent);
    expect(requestsFor(target, later.id)).toHaveLength(0);
  });

  it('should re-enable an auto-disabled endpoint with a successful ping', async () => {
    const target = await receiver(() => ({ status: 500 }));
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    await publishFixture(t.hooks);
    await until(async () => (await endpointDoc(t, endpoint.id)).disabled);
    target.setHandler(() => ({ status: 200 }));
    const ping = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    expect(ping.body.webhook.state).toBe('enabled');
    const { id } = await publishFixture(t.hooks);
    await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
  });
});

describe('auto-disable with a success now and then', () => {
  const t = useDeliveryApp({ retrySchedule: Array.from({ length: 9 }, () => 100), autoDisableAfterMs: 1000 });

  it('should keep an endpoint that succeeds now and then enabled', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    // Fail and succeed alternately (100 ms apart) for longer than autoDisableAfterMs: never a 1 s failure run.
    let calls = 0;
    target.setHandler(() => ({ status: calls++ % 2 === 0 ? 500 : 200 }));
    const started = Date.now();
    while (Date.now() - started < 2000) {
      const { id } = await publishFixture(t.hooks);
      await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    }
    await sleep(400); // two sweeps
    expect((await endpointDoc(t, endpoint.id)).disabled).toBe(false);
  });
});

describe('the failure run', () => {
  // Endpoint state is flushed only by the ping route here, so a success and a failure can share one flush.
  const t = useDeliveryApp({ retrySchedule: [600_000] }, { options: { flushIntervalMs: 600_000 } });

  it('should restart at the first failure after a success, even when both are flushed together', async () => {
    const target = await receiver(() => ({ status: 500 }));
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    const firstRun = (await endpointDoc(t, endpoint.id)).failing_since;
    expect(firstRun).toBeInstanceOf(Date);

    target.setHandler(() => ({ status: 200 }));
    const ok = await publishFixture(t.hooks);
    const success = await deliveryInState(t.db.db, ok.id, endpoint.id, 'succeeded');
    target.setHandler(() => ({ status: 500 }));
    const bad = await publishFixture(t.hooks);
    await deliveryWhen(t.db.db, bad.id, endpoint.id, (doc) => doc.attempt_log.length === 1);
    await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);

    const doc = await endpointDoc(t, endpoint.id);
    expect(doc.failing_since!.getTime()).toBeGreaterThan(success.attempt_log[0]!.at.getTime());
    expect(doc.last_item_state).toBe('error');
  });

  it('should end the failure run with a success', async () => {
    const target = await receiver(() => ({ status: 500 }));
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    expect((await endpointDoc(t, endpoint.id)).failing_since).toBeInstanceOf(Date);
    target.setHandler(() => ({ status: 200 }));
    await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    const doc = await endpointDoc(t, endpoint.id);
    expect(doc.failing_since).toBeNull();
    expect(doc.last_item_state).toBe('valid');
  });
});

describe('deleting an endpoint', () => {
  const t = useDeliveryApp({ retrySchedule: [600_000] });

  it('should cancel its pending deliveries and send nothing more to it', async () => {
    const { endpoint, id, pending } = await pendingAfterAFailure(t);
    expect(pending.next_attempt_at).toBeInstanceOf(Date);
    const res = await request(t.app).delete(`/v3/edit/webhooks/${endpoint.id}`).set(AUTH).expect(200);
    expect(res.body.webhook.id).toBe(endpoint.id);
    const cancelled = await deliveryOf(t.db.db, id, endpoint.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', last_error: 'The endpoint was deleted', next_attempt_at: null });
    await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}`).set(AUTH).expect(404);
    const again = await publishFixture(t.hooks);
    expect(again.deliveries).toBe(0);
  });
});

describe('close()', () => {
  it('should wait for an in-flight attempt and record it as succeeded', async () => {
    const t = await createTestApp({ delivery: fastDelivery() });
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 200, delayMs: 500, body: 'late but fine' }));
    const { id } = await publishFixture(t.hooks);
    await until(() => requestsFor(target, id).length === 1);
    await t.hooks.close();
    const delivery = await deliveryOf(t.db.db, id, endpoint.id);
    expect(delivery!.state).toBe('succeeded');
    expect(delivery!.attempt_log).toHaveLength(1);
    expect(delivery!.attempt_log[0]).toMatchObject({ status: 200, response_body: 'late but fine', error: null });
    expect(delivery!.attempt_log[0]!.duration_ms).toBeGreaterThanOrEqual(500);
    // The endpoint's state was written before close() resolved.
    expect((await endpointDoc(t, endpoint.id)).last_item_state).toBe('valid');
  });

  it('should wait for a retry job in flight, and no longer than it takes', async () => {
    // With a 20 s request timeout, a close() that waited out a drain timeout would take 25 s.
    const t = await createTestApp({ delivery: fastDelivery({ retrySchedule: [100], timeoutMs: 20_000 }) });
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    let calls = 0;
    target.setHandler(() => (calls++ === 0 ? { status: 500 } : { status: 200, delayMs: 500, body: 'retried' }));
    const { id } = await publishFixture(t.hooks);
    await until(() => requestsFor(target, id).length === 2); // the retry job's attempt is in flight
    const closing = t.hooks.close().then(() => 'closed');
    expect(await Promise.race([closing, sleep(10_000).then(() => 'still closing')])).toBe('closed');
    const delivery = await deliveryOf(t.db.db, id, endpoint.id);
    expect(delivery!.state).toBe('succeeded');
    expect(delivery!.attempt_log.map((a) => [a.status, a.trigger])).toEqual([
      [500, 'publish'],
      [200, 'retry'],
    ]);
  });

  it('should refuse to publish once closed', async () => {
    const t = await createTestApp({ delivery: fastDelivery() });
    await t.hooks.close();
    const error = await publishFixture(t.hooks).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChameleonError);
    expect((error as ChameleonError).code).toBe('CH_ERR_NOT_READY');
  });
});

describe('due deliveries', () => {
  const t = useDeliveryApp({ retrySchedule: [600_000] });

  it('should attempt a delivery that is due although its retry job is far away, once, as its retry', async () => {
    const { target, endpoint, id, pending } = await pendingAfterAFailure(t);
    // As if its job had been lost: due 5 s ago (its real job is 10 minutes away).
    await collections(t.db.db).deliveries.updateOne({ _id: pending._id }, { $set: { next_attempt_at: new Date(Date.now() - 5000) } });
    target.setHandler(() => ({ status: 200 }));
    const recovered = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    expect(recovered.attempt_log.map((a) => [a.status, a.trigger])).toEqual([
      [500, 'publish'],
      [200, 'retry'],
    ]);
    await sleep(400);
    expect(requestsFor(target, id)).toHaveLength(2);
  });
});
