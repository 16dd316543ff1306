/**
 * Fault tests with real host processes: a `kill -9` in the middle of an attempt, a delivery
 * that crashes its process every time, and three processes sharing one backlog.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Collection, Document } from 'mongodb';
import { useTestDb, type TestDb } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';
import { startHost, successesByProcess, type Host } from './host-harness.js';
import { until } from '../helpers/until.js';

const TIMEOUT_MS = 500;
const SWEEP_MS = 250;
const baseDelivery = {
  allowHttp: true,
  allowPrivateNetworks: true,
  timeoutMs: TIMEOUT_MS,
  jitter: 0,
  pollIntervalMs: 100,
  sweepIntervalMs: SWEEP_MS,
};


function kindOf(body: Buffer): { id: string; kind: string } {
  return JSON.parse(body.toString('utf8')) as { id: string; kind: string };
}

describe('crash recovery with real host processes', () => {
  let db: TestDb;
  let deliveries: Collection<Document>;
  const hosts: Host[] = [];
  const receivers: Receiver[] = [];
  const tour = loadFixture('tour.started').data;

  beforeAll(async () => {
    db = await useTestDb('fault');
    deliveries = db.db.collection('chameleon_deliveries');
  });
  afterAll(async () => {
    for (const h of hosts) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function host(options: Record<string, unknown>): Promise<Host> {
    const h = await startHost(db.uri, db.dbName, options);
    hosts.push(h);
    return h;
  }

  it('should attempt again after a restart when the process was killed mid-attempt, and deliver once', async () => {
    const answered = new Map<string, number>();
    let holdFirst = true;
    const receiver = await startReceiver((_req, body) => {
      const { id, kind } = kindOf(body);
      if (kind === 'tour.started' && holdFirst) {
        holdFirst = false;
        return { status: 200, delayMs: Infinity }; // never answers: the sender dies waiting
      }
      answered.set(id, (answered.get(id) ?? 0) + 1);
      return { status: 200, body: 'ok' };
    });
    receivers.push(receiver);
    const options = { delivery: { ...baseDelivery, retrySchedule: [200, 200, 200] }, collectionPrefix: 'k9_' };
    const first = await host(options);
    await first.call('createEndpoint', { url: receiver.url, topics: ['tour.started'] });
    const { id } = await first.call<{ id: string }>('publish', 'tour.started', tour);
    await until(() => receiver.requests.some((r) => kindOf(r.body).id === id), 10_000, 'the first attempt');
    await first.kill9();

    // The first attempt's delivery is written with its outcome; killed before that, the webhook's
    // fan-out is the only record of it (written before the request), and the restart must use it.
    expect(await db.db.collection('k9_deliveries').countDocuments({ topic: 'tour.started' })).toBe(0);
    const webhook = await db.db.collection('k9_webhooks').findOne({ topic: 'tour.started' });
    expect(webhook?.fanout).toHaveLength(1);

    const restartedAt = Date.now();
    const second = await host(options);
    await until(() => answered.get(id) === 1, TIMEOUT_MS + 60_000, 'the attempt after restart');
    const recoveredAfterMs = Date.now() - restartedAt;
    const done = await until(async () => {
      const d = await db.db.collection('k9_deliveries').findOne({ topic: 'tour.started', state: 'succeeded' });
      return d ?? undefined;
    }, 10_000, 'the delivery to be marked succeeded');
    expect(done.attempts).toBe(2);
    expect(done.attempt_log.map((a: { trigger: string }) => a.trigger)).toEqual(['recovery']);
    expect(recoveredAfterMs).toBeLessThan(TIMEOUT_MS + 60_000);

    // Never sent again after the success, however many sweeps run.
    await new Promise((r) => setTimeout(r, SWEEP_MS * 6));
    expect(receiver.requests.filter((r) => kindOf(r.body).id === id)).toHaveLength(2);
    expect(answered.get(id)).toBe(1);
    await second.call('close');
  }, 120_000);

  it('should end a delivery that crashes its process on every attempt in a failed state', async () => {
    let current: Host | undefined;
    const receiver = await startReceiver((_req, body) => {
      if (kindOf(body).kind === 'tour.started') {
        // Whichever host sent it dies now (the parent may not know the newest one yet).
        for (const h of hosts) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
        return { status: 200, delayMs: Infinity };
      }
      return { status: 200 };
    });
    receivers.push(receiver);
    const options = { delivery: { ...baseDelivery, retrySchedule: [100, 100] }, collectionPrefix: 'poison_' }; // 3 attempts allowed
    const col = db.db.collection('poison_deliveries');
    current = await host(options);
    await current.call('createEndpoint', { url: receiver.url, topics: ['tour.started'] });
    await until(() => receiver.requests.length === 1, 10_000, 'the creation ping');
    await current.call('publish', 'tour.started', tour).catch(() => undefined);
    const failed = async () => (await col.findOne({ topic: 'tour.started', state: 'failed' })) ?? undefined;
    // Each host dies in the attempt it makes; restart until the delivery is given up.
    for (let restart = 0; restart < 6 && !(await failed()); restart++) {
      await current.exited;
      if (await failed()) break;
      current = await host(options);
      const alive = current;
      await until(async () => alive.child.exitCode !== null || alive.child.signalCode !== null || (await failed()), 30_000, 'a crash or the end');
    }
    const doc = await until(async () => (await col.findOne({ topic: 'tour.started', state: 'failed' })) ?? undefined, 30_000, 'the failed state');
    const sends = receiver.requests.filter((r) => kindOf(r.body).kind === 'tour.started');
    expect(sends).toHaveLength(3);
    expect(doc.attempts).toBe(4); // the fourth claim found the budget spent and gave up without sending
    expect(doc.last_error).toMatch(/Gave up after 3 attempts/);
    if (current.child.exitCode === null && current.child.signalCode === null) await current.call('close');
  }, 180_000);

  it('should share a backlog of 3,000 deliveries between three processes, each delivered once', async () => {
    const port = await freePort(); // nothing listens yet: every first attempt fails fast
    const url = `http://127.0.0.1:${port}/`;
    const options = {
      collectionPrefix: 'share_',
      // A realistic sweep interval: sweeping every 250 ms would re-enqueue deliveries whose Agenda job is
      // merely late, and the duplicate jobs (harmless: each carries its due time) slow the draining down.
      delivery: { ...baseDelivery, timeoutMs: 2000, retrySchedule: Array(9).fill(3000), concurrency: 8, perEndpointConcurrency: 8, sweepIntervalMs: 5000 },
    };
    const publisher = await host(options);
    await publisher.call('createEndpoint', { url, topics: ['tour.started'] });
    const t0 = Date.now();
    const ids = await publisher.call<string[]>('publishMany', 'tour.started', tour, 3000);
    const t1 = Date.now();
    expect(new Set(ids).size).toBe(3000);
    await publisher.call('close');
    deliveries = db.db.collection('share_deliveries');
    expect(await deliveries.countDocuments({ topic: 'tour.started', state: 'pending' })).toBe(3000);

    const workers = await Promise.all([host(options), host(options), host(options)]);
    const receiver = await startReceiver(() => ({ status: 200 }), { port });
    receivers.push(receiver);
    const t2 = Date.now();
    await until(async () => (await deliveries.countDocuments({ topic: 'tour.started', state: 'succeeded' })) === 3000, 240_000, 'all 3,000 deliveries');
    console.log(`[fault] publish 3,000: ${t1 - t0} ms; publisher close + 3 hosts start: ${t2 - t1} ms; drain: ${Date.now() - t2} ms`);

    const received = receiver.requests.map((r) => kindOf(r.body)).filter((b) => b.kind === 'tour.started');
    expect(received).toHaveLength(3000);
    expect(new Set(received.map((b) => b.id))).toEqual(new Set(ids));

    const byWorker = await successesByProcess(deliveries, 'tour.started');
    const workerNames = workers.map((w) => [...byWorker.keys()].find((k) => k.endsWith(`-${w.pid}`)));
    expect(workerNames.every(Boolean)).toBe(true);
    for (const name of workerNames) expect(byWorker.get(name!)!).toBeGreaterThan(150); // every process did a real share
    expect([...byWorker.values()].reduce((a, b) => a + b, 0)).toBe(3000);
    console.log('[fault] successful attempts per process:', Object.fromEntries(byWorker));
    await Promise.all(workers.map((w) => w.call('close')));
  }, 330_000);
});
