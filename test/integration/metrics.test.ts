// Metrics (lib/metrics/): scraped after real traffic against the real package, database and receiver.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { Registry, register as globalRegister } from 'prom-client';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';
import { until } from '../helpers/until.js';

const auth = { 'X-Account-Secret': ACCOUNT.secret };

/** The value of one sample of `name` whose labels include `labels`, from a scrape of `registry`. */
async function sample(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metrics = await registry.getMetricsAsJSON();
  const found = metrics.flatMap((m) => m.values.map((v) => ({ ...v, metricName: (v as { metricName?: string }).metricName ?? m.name })));
  const match = found.find((v) => v.metricName === name && Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return match?.value;
}


describe('metrics', () => {
  const registry = new Registry();
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    receiver.setHandler(() => ({ status: 503, body: 'down' }));
    t = await createTestApp({
      metrics: { registry },
      delivery: { allowHttp: true, allowPrivateNetworks: true, retrySchedule: [3_600_000, 3_600_000], jitter: 0, timeoutMs: 2000, pollIntervalMs: 50, sweepIntervalMs: 100 },
    });
  });
  afterAll(() => receiver.close());

  it('should count and time incoming requests by route pattern, method and status class, never with the secret', async () => {
    await request(t.app).post(`/v3/observe/hooks/${ACCOUNT.secret}/profiles`).send({ uid: 'm-1', plan: 'gold' }).expect(200);
    await request(t.app).post(`/v3/observe/hooks/${ACCOUNT.secret}/profiles`).send({ uid: 'm-2', note: 'x'.repeat(2000) }).expect(200);
    await request(t.app).post('/v3/observe/hooks/events').set(auth).send({ uid: 'm-1', name: 'Clicked' }).expect(200);
    await request(t.app).post('/v3/observe/hooks/profiles').set(auth).set('content-type', 'application/json').send('{oops').expect(400);
    await request(t.app).post('/v3/observe/hooks/profiles').set('X-Account-Secret', 'acct_wrong_secret_000000000').send({ uid: 'x' }).expect(403);
    await request(t.app).get('/v3/edit/webhooks/5f885a88e7daf3000e3eb4f6/nothing').set(auth).expect(404); // under the package's own prefix
    await request(t.app).get('/host-route').expect(200);

    const route = '/v3/observe/hooks/:account_secret/profiles';
    expect(await sample(registry, 'chameleon_hooks_http_requests_total', { route, method: 'POST', status_class: '2xx' })).toBe(2);
    expect(await sample(registry, 'chameleon_hooks_http_requests_total', { route: '/v3/observe/hooks/events', status_class: '2xx' })).toBe(1);
    expect(await sample(registry, 'chameleon_hooks_http_requests_total', { route: '/v3/observe/hooks/profiles', status_class: '4xx' })).toBe(2);
    expect(await sample(registry, 'chameleon_hooks_http_requests_total', { route: 'unmatched', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(await sample(registry, 'chameleon_hooks_http_request_duration_seconds_count', { route, status_class: '2xx' })).toBe(2);
    const text = await t.hooks.metrics();
    expect(text).not.toContain(ACCOUNT.secret);
    expect(text).not.toContain('host-route');
    expect(text).not.toMatch(/m-1|m-2/);
  });

  it('should count records written and data warnings by kind', async () => {
    expect(await sample(registry, 'chameleon_hooks_records_written_total', { kind: 'profile' })).toBe(2);
    expect(await sample(registry, 'chameleon_hooks_records_written_total', { kind: 'event' })).toBe(1);
    expect(await sample(registry, 'chameleon_hooks_data_warnings_total', { kind: 'profile', reason: 'truncated' })).toBe(1);
  });

  it('should show the pending backlog, its oldest age and the due count, read from the database', async () => {
    const created = await request(t.app).post('/v3/edit/webhooks').set(auth).send({ url: receiver.url, topics: 'tour.started' }).expect(201);
    const endpointId = created.body.webhook.id as string;
    await t.hooks.publish(ACCOUNT.id, 'tour.started', loadFixture('tour.started').data as never);
    // The first attempt fails (503): the delivery is pending, its retry an hour away. The ping sent
    // when the endpoint was created can be pending as well, depending on when its attempt ends: wait
    // until every pending delivery of the endpoint has made its attempt, then the gauge counts them.
    // The attempt is counted before its request, so a delivery still in flight (listed as `sending`,
    // a ping that will end `failed`) has not made it yet.
    let pending: Array<{ kind?: string; topic?: string; state?: string; attempts_count: number }> = [];
    await until(async () => {
      const list = await request(t.app).get(`/v3/edit/webhooks/${endpointId}/deliveries?state=pending`).set(auth);
      pending = list.body.deliveries ?? [];
      return pending.length > 0 && pending.every((d) => d.attempts_count === 1 && d.state === 'pending') && pending.some((d) => (d.kind ?? d.topic) === 'tour.started');
    }, 15_000, 'the pending deliveries to have made their attempt');
    expect(await sample(registry, 'chameleon_hooks_deliveries_pending')).toBe(pending.length);
    expect(await sample(registry, 'chameleon_hooks_deliveries_due')).toBe(0);
    const age = await sample(registry, 'chameleon_hooks_oldest_pending_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(120);
    expect(await sample(registry, 'chameleon_hooks_agenda_jobs_locked')).toBe(0);
    expect(await sample(registry, 'chameleon_hooks_deliveries_total', { destination: 'endpoint', topic: 'tour.started', outcome: 'retry' })).toBe(1);
    expect(await sample(registry, 'chameleon_hooks_attempt_duration_seconds_count', { destination: 'endpoint', status_class: '5xx' })).toBeGreaterThanOrEqual(1);
  });

  it('should count the recovery of an interrupted delivery and its successful attempt', async () => {
    receiver.setHandler(() => ({ status: 200, body: 'ok' }));
    const before = (await sample(registry, 'chameleon_hooks_sweep_recoveries_total')) ?? 0;
    // The retry job is an hour away: make the delivery due with an expired lease, as after a crash
    // mid-attempt, for the due drain to take up as a recovery.
    const past = new Date(Date.now() - 60_000);
    await t.db.db.collection('chameleon_deliveries').updateMany({ state: 'pending', topic: 'tour.started' }, { $set: { next_attempt_at: past, lease_until: new Date(Date.now() - 1000) } });
    await until(async () => (await sample(registry, 'chameleon_hooks_deliveries_total', { topic: 'tour.started', outcome: 'succeeded' })) === 1, 15_000, 'the success counted');
    expect(await sample(registry, 'chameleon_hooks_sweep_recoveries_total')).toBe(before + 1);
    expect(await sample(registry, 'chameleon_hooks_attempt_duration_seconds_count', { destination: 'endpoint', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(await sample(registry, 'chameleon_hooks_deliveries_pending')).toBe(0);
  });

  it('should register in the registry passed, never in the global one, and expose the same text from hooks.metrics()', async () => {
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    for (const name of [
      'chameleon_hooks_http_requests_total',
      'chameleon_hooks_http_request_duration_seconds',
      'chameleon_hooks_records_written_total',
      'chameleon_hooks_data_warnings_total',
      'chameleon_hooks_deliveries_total',
      'chameleon_hooks_attempt_duration_seconds',
      'chameleon_hooks_deliveries_pending',
      'chameleon_hooks_oldest_pending_age_seconds',
      'chameleon_hooks_deliveries_due',
      'chameleon_hooks_agenda_jobs_locked',
      'chameleon_hooks_sweep_recoveries_total',
    ]) {
      expect(names).toContain(name);
    }
    expect(names.every((n) => n.startsWith('chameleon_hooks_'))).toBe(true);
    expect(globalRegister.getSingleMetric('chameleon_hooks_http_requests_total')).toBeUndefined();
    expect(await t.hooks.metrics()).toContain('# TYPE chameleon_hooks_http_requests_total counter');
  });
});
