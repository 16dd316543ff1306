// Retries on the configured schedule: success after failures, exhaustion after exactly 10 attempts, timeouts, redirects, 410, Retry-After.
import { describe, expect, it } from 'vitest';
import { AUTH, bodyOf, createEndpoint, deliveryInState, deliveryOf, deliveryWhen, disabledEndpoint, publishFixture, requestsFor, sleep, useDeliveryApp, useReceivers } from './support/delivery.js';

const receiver = useReceivers();

/** A handler answering the given statuses in turn, then the last one forever. */
function statuses(...codes: number[]): () => { status: number; body: string } {
  let i = 0;
  return () => ({ status: codes[Math.min(i++, codes.length - 1)]!, body: 'answer' });
}

describe('retries on a short schedule', () => {
  const t = useDeliveryApp({ retrySchedule: Array.from({ length: 9 }, () => 50), timeoutMs: 300 }, { deleteEndpointsAfterEach: [AUTH] });

  it('should retry after 500s and stop at the first success (3 attempts recorded)', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(statuses(500, 500, 200));
    const { id } = await publishFixture(t.hooks);
    const delivery = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    expect(delivery.attempts).toBe(3);
    expect(delivery.attempt_log.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(delivery.attempt_log.map((a) => a.trigger)).toEqual(['publish', 'retry', 'retry']);
    expect(delivery.attempt_log.map((a) => a.error)).toEqual(['HTTP 500', 'HTTP 500', null]);
    expect(delivery.attempt_log.map((a) => a.error_kind)).toEqual(['http', 'http', null]);
    expect(delivery.attempt_log[0]!.response_body).toBe('answer');
    expect(delivery.last_status).toBe(200);
    expect(delivery.completed_at).toBeInstanceOf(Date);
    await sleep(600);
    expect(requestsFor(target, id)).toHaveLength(3);
  });

  it('should give up after exactly 10 attempts with a 9-step schedule, and never send an 11th', async () => {
    const target = await receiver(() => ({ status: 500 }));
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const { id } = await publishFixture(t.hooks);
    const failed = await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    expect(failed.attempts).toBe(10);
    expect(failed.attempt_log).toHaveLength(10);
    expect(failed.attempt_log.map((a) => a.trigger)).toEqual(['publish', ...Array.from({ length: 9 }, () => 'retry')]);
    expect(failed.last_error).toMatch(/Gave up after 10 attempts/);
    expect(failed.next_attempt_at).toBeNull();
    expect(requestsFor(target, id)).toHaveLength(10);
    // A few sweep intervals (200 ms) later, still 10.
    await sleep(800);
    expect(requestsFor(target, id)).toHaveLength(10);
    expect((await deliveryOf(t.db.db, id, endpoint.id))!.attempts).toBe(10);
  });

  it('should record a receiver that never answers as a timeout, and retry it', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    let calls = 0;
    target.setHandler(() => (calls++ === 0 ? { status: 200, delayMs: Infinity } : { status: 200 }));
    const { id } = await publishFixture(t.hooks);
    const delivery = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    const first = delivery.attempt_log[0];
    const last = delivery.attempt_log[delivery.attempt_log.length - 1];
    expect(first).toMatchObject({ status: null, error_kind: 'timeout', error: 'Timed out after 300 ms' });
    expect(first!.duration_ms).toBeGreaterThanOrEqual(300);
    expect(last).toMatchObject({ status: 200, error: null, trigger: 'retry' });
  });

  it('should treat a redirect as a failure and never follow it', async () => {
    const elsewhere = await receiver();
    const target = await receiver(() => ({ status: 302, headers: { location: `${elsewhere.url}moved` } }));
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const { id } = await publishFixture(t.hooks);
    const failed = await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    expect(failed.attempt_log).toHaveLength(10);
    expect(failed.attempt_log[0]).toMatchObject({ status: 302, error_kind: 'redirect' });
    expect(failed.attempt_log[0]!.error).toContain(`${elsewhere.url}moved`);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('should fail the delivery and disable the endpoint on 410 Gone', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started', 'tour.completed'] });
    target.setHandler(() => ({ status: 410 }));
    const { id } = await publishFixture(t.hooks);
    const failed = await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/410/);
    const shown = await disabledEndpoint(t.app, endpoint.id);
    expect(shown.disabled_reason).toMatch(/410/);
    // Later publishes are not delivered, even once the receiver would accept them.
    target.setHandler(() => ({ status: 200 }));
    const later = await publishFixture(t.hooks, 'tour.completed');
    expect(later.deliveries).toBe(0);
    await sleep(300);
    expect(requestsFor(target, later.id)).toHaveLength(0);
    expect(requestsFor(target, id)).toHaveLength(1);
  });

  it('should count a network error (nothing listening) as a failed attempt and retry it', async () => {
    const gone = await receiver();
    const url = gone.url;
    await gone.close();
    const endpoint = await createEndpoint(t.app, t.db.db, { url, topics: ['tour.started'] });
    const { id } = await publishFixture(t.hooks);
    const failed = await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    expect(failed.attempt_log).toHaveLength(10);
    expect(failed.attempt_log.every((a) => a.error_kind === 'network' && a.status === null)).toBe(true);
    expect(failed.attempt_log[0]!.error).toMatch(/ECONNREFUSED/);
  });
});

describe('Retry-After', () => {
  const t = useDeliveryApp({ retrySchedule: [50, 1500, 50] }, { deleteEndpointsAfterEach: [AUTH] });

  it.each([429, 503])('should wait for Retry-After: 1 on %i although the schedule says 50 ms', async (status) => {
    let calls = 0;
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => (calls++ === 0 ? { status, headers: { 'retry-after': '1' } } : { status: 200 }));
    const { id } = await publishFixture(t.hooks);
    const delivery = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    expect(delivery.attempt_log.map((a) => a.status)).toEqual([status, 200]);
    const [first, second] = requestsFor(target, id);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(bodyOf(second!).sent_at) - Date.parse(bodyOf(first!).sent_at)).toBeGreaterThanOrEqual(1000);
  });

  it('should cap a huge Retry-After at the schedule\'s next step', async () => {
    let calls = 0;
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => (calls++ === 0 ? { status: 429, headers: { 'retry-after': '3600' } } : { status: 200 }));
    const { id } = await publishFixture(t.hooks);
    const pending = await deliveryWhen(t.db.db, id, endpoint.id, (doc) => doc.attempt_log.length === 1);
    const [attempt] = pending.attempt_log;
    const waited = pending.next_attempt_at!.getTime() - (attempt!.at.getTime() + attempt!.duration_ms);
    expect(waited).toBeGreaterThanOrEqual(1500 - 1);
    expect(waited).toBeLessThan(60_000); // the schedule's next step, not Retry-After's hour
    const delivery = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded', 10_000);
    expect(delivery.attempt_log.map((a) => a.status)).toEqual([429, 200]);
    const [first, second] = requestsFor(target, id);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1500);
  });
});
