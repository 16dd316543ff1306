/**
 * Batch fault tests with real host processes on one database: a `kill -9` in the middle of
 * applying a batch (another process resumes it at its first unrecorded chunk: every item
 * stored, in order, each error counted once), and three processes sharing queued batches.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Collection, Document } from 'mongodb';
import { ObjectId } from 'mongodb';
import { useTestDb, type TestDb } from '../helpers/db.js';
import { startBatchHost, FAULT_SECRET, type BatchHost } from './batch-harness.js';
import { until } from '../helpers/until.js';

const SETTINGS = { batches: { leaseMs: 1500, pollIntervalMs: 100, concurrency: 1 } };


async function postBatch(host: BatchHost, profiles: unknown[]): Promise<{ batch: { id: string }; errors: Array<{ index: number }>; errors_count: number }> {
  const res = await fetch(`${host.url}/v3/observe/hooks/${FAULT_SECRET}/profiles/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profiles }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { batch: { id: string }; errors: Array<{ index: number }>; errors_count: number };
}

describe('batches with real host processes', () => {
  let db: TestDb;
  let batches: Collection<Document>;
  let profiles: Collection<Document>;
  const hosts: BatchHost[] = [];

  beforeAll(async () => {
    db = await useTestDb('batchfault');
    batches = db.db.collection('chameleon_batches');
    profiles = db.db.collection('chameleon_profiles');
  });
  afterAll(async () => {
    for (const h of hosts) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
  });

  async function host(): Promise<BatchHost> {
    const h = await startBatchHost(db.uri, db.dbName, SETTINGS);
    hosts.push(h);
    return h;
  }

  it('should resume a batch whose process was killed mid-apply in another process, storing every item once and in order', { timeout: 240_000 }, async () => {
    const a = await host();
    const owner = await fetch(`${a.url}/v3/observe/hooks/${FAULT_SECRET}/profiles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uid: 'owner', email: 'taken@example.com' }),
    });
    expect(owner.status).toBe(200);
    const count = 40_000;
    const items: Array<Record<string, unknown>> = Array.from({ length: count }, (_, i) => ({ uid: `k-${i}`, plan: 'gold', n: i }));
    items[5] = { plan: 'no identifier' };
    items[100] = { uid: 'thief-early', email: 'taken@example.com' };
    items[1500] = { uid: 'dup', plan: 'early' };
    items[38_500] = { uid: 'dup', plan: 'late' };
    items[39_000] = { uid: 'thief-late', email: 'taken@example.com' };
    const answer = await postBatch(a, items);
    expect(answer.errors.map((e) => e.index)).toEqual([5]);
    const id = new ObjectId(answer.batch.id);

    const atKill = await until(async () => {
      const doc = await batches.findOne({ _id: id });
      return doc && doc.applied_chunks >= 3 ? doc : undefined;
    }, 120_000, 'a few chunks applied');
    await a.kill9();
    const left = await batches.findOne({ _id: id });
    expect(left).toMatchObject({ state: 'applying', lease_owner: atKill.lease_owner });
    expect(left!.applied_chunks).toBeLessThan(left!.chunks);

    const b = await host();
    const done = await until(async () => {
      const res = await fetch(`${b.url}/v3/observe/batches/${answer.batch.id}`, { headers: { 'x-account-secret': FAULT_SECRET } });
      const body = (await res.json()) as { batch: { state: string } & Record<string, unknown> };
      return body.batch.state === 'done' ? body.batch : undefined;
    }, 180_000, 'the batch resumed and done');
    expect(done).toMatchObject({ items: count, chunks: 40, applied_chunks: 40, applied_items: count - 3, errors_count: 3 });
    expect((done.errors as Array<{ index: number; code: number }>).map((e) => [e.index, e.code])).toEqual([[5, 422], [100, 422], [39_000, 422]]);
    const record = await batches.findOne({ _id: id });
    expect(record!.lease_owner).not.toBe(atKill.lease_owner);

    expect(await profiles.countDocuments({ uid: { $regex: '^k-' } })).toBe(count - 5);
    expect((await profiles.findOne({ uid: 'dup' }))?.props).toMatchObject({ plan: 'late' });
    expect((await profiles.findOne({ uid: 'k-39999' }))?.props).toMatchObject({ plan: 'gold', n: 39_999 });
    expect(await profiles.countDocuments({ uid: { $in: ['thief-early', 'thief-late'] } })).toBe(0);
    // Chunks and queue entry are removed just after the batch is marked done.
    await until(async () => (await db.db.collection('chameleon_batch_chunks').countDocuments({ batch_id: id })) === 0, 60_000, 'chunks removed');
    await until(async () => (await db.db.collection('chameleon_batch_queue').countDocuments()) === 0, 60_000, 'queue emptied');
  });

  it('should share queued batches among three processes, each applied whole', { timeout: 240_000 }, async () => {
    while (hosts.filter((h) => h.child.exitCode === null && h.child.signalCode === null).length < 3) await host();
    const live = hosts.filter((h) => h.child.exitCode === null && h.child.signalCode === null);
    const size = 4000;
    const answers = [];
    // Everything is posted to one process, which applies one batch at a time: the others take the rest.
    for (let b = 0; b < 6; b++) {
      answers.push(await postBatch(live[0]!, Array.from({ length: size }, (_, i) => ({ uid: `s${b}-${i}`, batch: b }))));
    }
    const ids = answers.map((x) => new ObjectId(x.batch.id));
    const docs = await until(async () => {
      const found = await batches.find({ _id: { $in: ids } }).toArray();
      return found.length === 6 && found.every((d) => d.state === 'done') ? found : undefined;
    }, 180_000, 'six batches done');
    for (const doc of docs) expect(doc).toMatchObject({ applied_items: size, errors_count: 0, applied_chunks: doc.chunks });
    expect(new Set(docs.map((d) => d.lease_owner)).size).toBeGreaterThanOrEqual(2);
    for (let b = 0; b < 6; b++) expect(await profiles.countDocuments({ uid: { $regex: `^s${b}-` } })).toBe(size);
    await until(async () => (await db.db.collection('chameleon_batch_queue').countDocuments()) === 0, 60_000, 'queue emptied');
  });

  it('should give a batch back on close, so another process resumes it without waiting for the lease', { timeout: 600_000 }, async () => {
    for (const h of hosts) await h.close();
    // A lease far longer than the wait below: only the release on close lets the other process in in time.
    const slow = { batches: { ...SETTINGS.batches, leaseMs: 3_600_000 } };
    const closing = await startBatchHost(db.uri, db.dbName, slow);
    hosts.push(closing);
    const count = 60_000;
    const answer = await postBatch(closing, Array.from({ length: count }, (_, i) => ({ uid: `c-${i}` })));
    const id = new ObjectId(answer.batch.id);
    const early = await until(async () => {
      const doc = await batches.findOne({ _id: id });
      return doc && doc.applied_chunks >= 2 ? doc : undefined;
    }, 120_000, 'two chunks applied');
    // Started once the first process holds the batch, so it cannot claim it first.
    hosts.push(await startBatchHost(db.uri, db.dbName, slow));
    await closing.close();
    const given = await batches.findOne({ _id: id });
    const done = await until(async () => {
      const doc = await batches.findOne({ _id: id });
      return doc?.state === 'done' ? doc : undefined;
    }, 480_000, 'the batch done by the other process');
    expect(done).toMatchObject({ applied_items: count, errors_count: 0, applied_chunks: 60 });
    // Unless the first process finished before it was told to close, the other one finished it.
    if (given!.state !== 'done') expect(done.lease_owner).not.toBe(early.lease_owner);
    expect(await profiles.countDocuments({ uid: { $regex: '^c-' } })).toBe(count);
  });
});
