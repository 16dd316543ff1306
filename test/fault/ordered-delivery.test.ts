/**
 * Ordered delivery across processes and a crash: three host processes share one database and an
 * endpoint with `ordering: "profile"`; each profile's webhooks are published one after another
 * through the processes in turn, the receiver answers 500 at random (so retries go through Agenda and
 * the due drain of any process), and one process is killed (`kill -9`) mid-run. Each profile's
 * webhooks arrive in publish order (the n-th successful receipt is the n-th published), none is sent
 * before the previous one of its profile succeeded, and none is sent again after its recorded success.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ObjectId, type Collection, type Document } from 'mongodb';
import { useTestDb, type TestDb } from '../helpers/db.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';
import { startHost, type Host } from './host-harness.js';

const PROFILES = 12;
const PER_PROFILE = 10;
const options = {
  collectionPrefix: 'ordered_',
  delivery: {
    allowHttp: true,
    allowPrivateNetworks: true,
    // Leases of 8 s: on a loaded machine a process can stall for seconds, and a lease that runs out
    // under an attempt that goes on makes it at-least-once (a second send), as documented.
    timeoutMs: 4000,
    jitter: 0,
    retrySchedule: Array(9).fill(150),
    pollIntervalMs: 100,
    sweepIntervalMs: 300,
    concurrency: 8,
    perEndpointConcurrency: 8,
  },
};

async function until(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One request the receiver answered: which profile and publish number, and how. */
interface Receipt {
  profile: number;
  seq: number;
  webhook: string;
  status: number;
}

describe('ordered delivery per profile across three processes, random 500s and a kill -9', () => {
  let db: TestDb;
  let deliveries: Collection<Document>;
  let receiver: Receiver;
  const receipts: Receipt[] = [];
  const started: Host[] = [];
  const tour = loadFixture('tour.started').data;

  beforeAll(async () => {
    db = await useTestDb('ordered');
    deliveries = db.db.collection('ordered_deliveries');
    receiver = await startReceiver((_req, body) => {
      const { id, kind, data } = JSON.parse(body.toString('utf8')) as { id: string; kind: string; data: { profile: { name: string } } };
      if (kind !== 'tour.started') return { status: 200 };
      const [profile, seq] = data.profile.name.split(':').map(Number) as [number, number];
      const status = Math.random() < 0.3 ? 500 : 200;
      receipts.push({ profile, seq, webhook: id, status });
      return { status, delayMs: 5 + Math.floor(Math.random() * 20) };
    });
  });
  afterAll(async () => {
    for (const h of started) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await receiver.close();
  });

  it('should deliver each profile in publish order, each once after its success, while a process is killed', async () => {
    const hosts = await Promise.all([0, 1, 2].map(() => startHost(db.uri, db.dbName, options)));
    started.push(...hosts);
    await hosts[0]!.call('createEndpoint', { url: receiver.url, topics: ['tour.started'], ordering: 'profile' });
    const alive = new Set(hosts);
    const victim = hosts[2]!;

    // Per profile, in publish order: the webhook id, or null when its publish did not answer (killed host).
    const published: Array<Array<string | null>> = Array.from({ length: PROFILES }, () => []);
    const publishProfile = async (p: number): Promise<void> => {
      for (let seq = 0; seq < PER_PROFILE; seq++) {
        const live = hosts.filter((h) => alive.has(h));
        const host = live[(p + seq) % live.length]!;
        const data = structuredClone(tour) as { profile: Record<string, unknown> };
        data.profile.id = (p + 1).toString(16).padStart(24, '0');
        data.profile.name = `${p}:${seq}`;
        try {
          published[p]!.push((await host.call<{ id: string }>('publish', 'tour.started', data)).id);
        } catch {
          published[p]!.push(null); // the host was killed during the publish: it may or may not exist
        }
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
      }
    };
    const load = Promise.all(Array.from({ length: PROFILES }, (_, p) => publishProfile(p)));

    // Kill one process once deliveries are well under way (attempts and retries in flight in it).
    await until(async () => receipts.filter((r) => r.status === 200).length >= 30, 60_000, 'progress before the kill');
    alive.delete(victim);
    await victim.kill9();
    await load;

    const acknowledged = published.flat().filter((id): id is string => id !== null);
    expect(acknowledged.length).toBeGreaterThanOrEqual(PROFILES * PER_PROFILE - PROFILES); // at most one publish per profile was in flight in the killed process
    // Every acknowledged publish is delivered (a crash mid-publish may leave an unacknowledged one undelivered).
    await until(async () => (await deliveries.countDocuments({ topic: 'tour.started', state: 'succeeded', webhook_id: { $in: acknowledged.map((id) => new ObjectId(id)) } })) === acknowledged.length, 120_000, 'every acknowledged webhook delivered');
    await until(async () => (await deliveries.countDocuments({ topic: 'tour.started', state: 'pending' })) === 0, 30_000, 'nothing left pending');

    const docs = await deliveries.find({ topic: 'tour.started' }).toArray();
    const byWebhook = new Map(docs.map((d) => [String(d.webhook_id), d]));
    for (let p = 0; p < PROFILES; p++) {
      const mine = receipts.filter((r) => r.profile === p);
      // The order of first successful receipts is the publish order (unacknowledged ones included when delivered).
      const firstSuccess = new Map<number, number>();
      mine.forEach((r, i) => {
        if (r.status === 200 && !firstSuccess.has(r.seq)) firstSuccess.set(r.seq, i);
      });
      const order = [...firstSuccess.entries()].sort((a, b) => a[1] - b[1]).map(([seq]) => seq);
      expect(order, `profile ${p}: successful receipts in publish order`).toEqual([...order].sort((a, b) => a - b));
      published[p]!.forEach((id, seq) => {
        if (id !== null) expect(firstSuccess.has(seq), `profile ${p} #${seq} delivered`).toBe(true);
      });
      // Nothing of a later webhook was sent before the earlier one's success.
      for (const [seq, at] of firstSuccess) {
        const early = mine.slice(0, at).filter((r) => r.seq > seq);
        expect(early, `profile ${p}: sent before #${seq} succeeded`).toEqual([]);
      }
    }
    // Once its success is recorded, a delivery is never sent again: one successful receipt per webhook,
    // the last one (two only when the first one's process was killed before it could record it).
    const wrong = [...byWebhook.values()].filter((d) => {
      const got = receipts.filter((r) => r.webhook === String(d.webhook_id));
      const oks = got.filter((r) => r.status === 200).length;
      const lost = (d.attempts as number) - (d.attempt_log as unknown[]).length;
      return d.state !== 'succeeded' || got.at(-1)?.status !== 200 || oks > 1 + lost;
    });
    expect(wrong.map((d) => ({ webhook: String(d.webhook_id), state: d.state, attempts: d.attempts, log: d.attempt_log }))).toEqual([]);

    const byProcess = await deliveries
      .aggregate<{ _id: string; count: number }>([{ $match: { topic: 'tour.started' } }, { $unwind: '$attempt_log' }, { $group: { _id: '$attempt_log.by', count: { $sum: 1 } } }])
      .toArray();
    expect(byProcess.length).toBeGreaterThanOrEqual(3); // all three processes made attempts
    console.log(`[fault] ordered delivery: ${acknowledged.length} acknowledged of ${PROFILES * PER_PROFILE}, ${receipts.length} requests; attempts per process:`, Object.fromEntries(byProcess.map((p) => [p._id, p.count])));
    await Promise.all(hosts.filter((h) => alive.has(h)).map((h) => h.call('close')));
  }, 300_000);
});
