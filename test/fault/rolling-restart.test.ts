/**
 * A rolling deploy under load: three host processes share one database while webhooks are published
 * through them; each is closed (`close()`, as on SIGTERM) and replaced in turn. Every webhook publish
 * returned is delivered, and none is delivered again after its delivery succeeded.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Collection, Document } from 'mongodb';
import { useTestDb, type TestDb } from '../helpers/db.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';
import { startHost, successesByProcess, type Host } from './host-harness.js';
import { until } from '../helpers/until.js';

const options = {
  collectionPrefix: 'rolling_',
  delivery: {
    allowHttp: true,
    allowPrivateNetworks: true,
    timeoutMs: 2000,
    jitter: 0,
    retrySchedule: Array(9).fill(300),
    pollIntervalMs: 100,
    sweepIntervalMs: 1000,
    concurrency: 8,
    perEndpointConcurrency: 8,
  },
};


/** A host slot: the process in it, and the publish call it is running (awaited before a restart). */
interface Slot {
  host: Host;
  busy: Promise<unknown>;
  restarting: boolean;
}

describe('a rolling restart under load', () => {
  let db: TestDb;
  let deliveries: Collection<Document>;
  let receiver: Receiver;
  const started: Host[] = [];
  const tour = loadFixture('tour.started').data;

  beforeAll(async () => {
    db = await useTestDb('rolling');
    deliveries = db.db.collection('rolling_deliveries');
    // Every webhook's first request fails, so each delivery also goes through a retry job (Agenda,
    // shared by the processes); the answers take a little time, so attempts are in flight at restarts.
    const seen = new Set<string>();
    receiver = await startReceiver((_req, body) => {
      const { id, kind } = JSON.parse(body.toString('utf8')) as { id: string; kind: string };
      if (kind !== 'tour.started' || seen.has(id)) return { status: 200, delayMs: 20 };
      seen.add(id);
      return { status: 503, delayMs: 20 };
    });
  });
  afterAll(async () => {
    for (const h of started) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await receiver.close();
  });

  async function host(): Promise<Host> {
    const h = await startHost(db.uri, db.dbName, options);
    started.push(h);
    return h;
  }

  it('should deliver every published webhook, and none again after success, while each process is replaced in turn', async () => {
    const slots: Slot[] = await Promise.all([host(), host(), host()].map(async (h) => ({ host: await h, busy: Promise.resolve(), restarting: false })));
    await slots[0]!.host.call('createEndpoint', { url: receiver.url, topics: ['tour.started'] });

    const ids: string[] = [];
    let publishing = true;
    const load = (async () => {
      for (let round = 0; publishing; round++) {
        const slot = slots.filter((s) => !s.restarting)[round % 2];
        if (!slot) continue;
        const call = slot.host.call<string[]>('publishMany', 'tour.started', tour, 10);
        slot.busy = call.catch(() => undefined);
        ids.push(...(await call));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    for (const slot of slots) {
      const done = await deliveries.countDocuments({ topic: 'tour.started', state: 'succeeded' });
      await until(async () => (await deliveries.countDocuments({ topic: 'tour.started', state: 'succeeded' })) >= done + 30, 60_000, 'progress before a restart');
      slot.restarting = true;
      await slot.busy; // a deploy stops routing traffic to a process before it stops it
      await slot.host.call('close');
      slot.host = await host();
      slot.busy = Promise.resolve();
      slot.restarting = false;
    }
    publishing = false;
    await load;

    expect(ids.length).toBeGreaterThanOrEqual(100);
    await until(async () => (await deliveries.countDocuments({ topic: 'tour.started', state: 'succeeded' })) === ids.length, 120_000, 'every delivery');
    expect(await deliveries.countDocuments({ topic: 'tour.started', state: { $ne: 'succeeded' } })).toBe(0);

    // Each webhook: every request the receiver got is a recorded attempt (none came after the success or
    // outside the log), and exactly one attempt succeeded, the last. (A request whose answer came after the
    // timeout is a failed attempt and is retried: at-least-once, as documented; the log shows it.)
    const requests = receiver.requests.map((r) => JSON.parse(r.body.toString('utf8')) as { id: string; kind: string }).filter((b) => b.kind === 'tour.started');
    const perId = new Map<string, number>();
    for (const { id } of requests) perId.set(id, (perId.get(id) ?? 0) + 1);
    expect(new Set(perId.keys())).toEqual(new Set(ids));
    const docs = await deliveries.find({ topic: 'tour.started' }).toArray();
    expect(docs).toHaveLength(ids.length);
    const wrong = docs.filter((d) => {
      const log = d.attempt_log as Array<{ status: number | null }>;
      const successes = log.filter((a) => a.status === 200).length;
      return successes !== 1 || log.at(-1)!.status !== 200 || perId.get(String(d.webhook_id)) !== log.length || d.attempts !== log.length;
    });
    expect(wrong.map((d) => ({ webhook: String(d.webhook_id), attempts: d.attempts, log: d.attempt_log, received: perId.get(String(d.webhook_id)) }))).toEqual([]);

    const byProcess = await successesByProcess(deliveries, 'tour.started');
    expect([...byProcess.values()].reduce((sum, count) => sum + count, 0)).toBe(ids.length);
    expect(byProcess.size).toBeGreaterThanOrEqual(4); // the work was shared, by old and new processes
    console.log(`[fault] rolling restart: ${ids.length} webhooks; successful attempts per process:`, Object.fromEntries(byProcess));
    await Promise.all(slots.map((s) => s.host.call('close')));
  }, 300_000);
});
