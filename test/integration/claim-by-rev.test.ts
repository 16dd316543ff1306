/**
 * Claims and conclusions by compare-and-set on a delivery's `rev` (what the due drain does per
 * delivery): one attempt per claim across processes, stale candidates refused, a writer that did
 * not renew `rev` undone, ended deliveries holding no `rev`, documents stored before `rev` still
 * claimed by their fields, and the commands sent filtering by `rev` alone (one unique-index lookup):
 * one `findAndModify` for a lone write, one bulk update for the writes of one event-loop turn, each
 * with its own outcome.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { MongoClient, ObjectId, type Collection, type CommandStartedEvent, type Document } from 'mongodb';
import { useTestDb } from '../helpers/db.js';
import { withCommandLog } from '../helpers/command-log.js';
import { Collections } from '../../lib/store/collections.js';
import { DeliveryClaims } from '../../lib/delivery/deliveries/delivery-claims.js';
import { newDelivery, type DueCandidate } from '../../lib/delivery/deliveries/delivery-fields.js';
import { GroupedRevWrites, type RevConclusion } from '../../lib/delivery/deliveries/grouped-claims.js';
import type { AttemptLog, DeliveryDoc } from '../../lib/delivery/deliveries/documents.js';

const LEASE_MS = 60_000;
const db = await useTestDb('rev');
let deliveries: Collection<DeliveryDoc>;
let repo: DeliveryClaims;
/** A second client: another process sharing the database. */
let other: DeliveryClaims;

beforeAll(async () => {
  const collections = new Collections(db.db, 'rev_');
  await collections.ensureIndexes();
  deliveries = collections.get<DeliveryDoc>('deliveries');
  repo = new DeliveryClaims(deliveries);
  const client = new MongoClient(db.uri);
  await client.connect();
  other = new DeliveryClaims(client.db(db.dbName).collection<DeliveryDoc>('rev_deliveries'));
  return () => client.close();
});

/** Stores one pending delivery, due a minute ago. */
async function storeDue(shape: (doc: DeliveryDoc) => void = () => undefined): Promise<DeliveryDoc> {
  const doc = newDelivery({ account: 'acme', webhookId: new ObjectId(), destination: { kind: 'endpoint', id: new ObjectId() }, topic: 'tour.started', maxAttempts: 3, trigger: 'publish' }, new Date(), 0, false);
  doc.next_attempt_at = new Date(Date.now() - 60_000);
  shape(doc);
  await deliveries.insertOne(doc);
  return doc;
}

/** The due query's view of one delivery (as the drain reads its page). */
async function candidateOf(id: ObjectId): Promise<DueCandidate> {
  const page = await repo.dueCandidates(new Date(), 10_000);
  const found = page.find((c) => c._id.equals(id));
  if (!found) throw new Error(`${id.toHexString()} is not due`);
  return found;
}

function attemptLog(status: number): AttemptLog {
  return { at: new Date(), duration_ms: 3, status, response_body: null, error: status < 300 ? null : `HTTP ${status}`, error_kind: status < 300 ? null : 'http', trigger: 'retry', by: 'test' };
}

describe('claims by rev', () => {
  it('should let exactly one of many concurrent claims of the same candidate win, across clients', async () => {
    const stored = await storeDue();
    const candidate = await candidateOf(stored._id);
    expect(candidate.rev).toBeInstanceOf(ObjectId);
    const now = new Date();
    const results = await Promise.all([repo, other, repo, other, repo, other].map((r) => r.claimDue(candidate, now, LEASE_MS)));
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    const after = (await deliveries.findOne({ _id: stored._id }))!;
    expect(after.attempts).toBe(1);
    expect(after.lease_until!.getTime()).toBe(now.getTime() + LEASE_MS);
    expect(after.rev!.equals(winners[0]!.doc.rev!)).toBe(true);
    expect(after.rev!.equals(candidate.rev!)).toBe(false);
    expect(winners[0]!.interrupted).toBe(false);
  });

  it('should refuse a candidate read before another kind of claim took the delivery (an Agenda job), and count nothing', async () => {
    const stored = await storeDue();
    const candidate = await candidateOf(stored._id);
    const byJob = await repo.claim(stored._id, new Date(), LEASE_MS, 'retry');
    expect(byJob?.attempts).toBe(1);
    expect(await other.claimDue(candidate, new Date(), LEASE_MS)).toBeNull();
    const after = (await deliveries.findOne({ _id: stored._id }))!;
    expect(after.attempts).toBe(1);
    expect(after.rev!.equals(byJob!.rev!)).toBe(true);
  });

  it('should undo a claim when a writer changed the delivery without renewing rev (not due any more, or ended)', async () => {
    const later = await storeDue();
    const ended = await storeDue();
    const laterCandidate = await candidateOf(later._id);
    const endedCandidate = await candidateOf(ended._id);
    const future = new Date(Date.now() + 3_600_000);
    // An older version of the package, or a hand-written update: the fields change, rev does not.
    await deliveries.updateOne({ _id: later._id }, { $set: { next_attempt_at: future } });
    await deliveries.updateOne({ _id: ended._id }, { $set: { state: 'succeeded', next_attempt_at: null, completed_at: new Date() } });

    expect(await repo.claimDue(laterCandidate, new Date(), LEASE_MS)).toBeNull();
    expect(await repo.claimDue(endedCandidate, new Date(), LEASE_MS)).toBeNull();
    const laterAfter = (await deliveries.findOne({ _id: later._id }))!;
    expect(laterAfter).toMatchObject({ state: 'pending', attempts: 0, lease_until: null, next_attempt_at: future });
    expect(laterAfter.rev).toBeInstanceOf(ObjectId);
    const endedAfter = (await deliveries.findOne({ _id: ended._id }))!;
    expect(endedAfter).toMatchObject({ state: 'succeeded', attempts: 0, lease_until: null });
    expect(endedAfter).not.toHaveProperty('rev');
  });

  it('should take up an interrupted attempt once its lease has run out, and refuse it while the lease is live', async () => {
    const dead = await storeDue((d) => Object.assign(d, { attempts: 1, lease_until: new Date(Date.now() - 1000) }));
    await storeDue((d) => Object.assign(d, { attempts: 1, lease_until: new Date(Date.now() + LEASE_MS) }));
    const candidate = await candidateOf(dead._id);
    const claimed = await repo.claimDue(candidate, new Date(), LEASE_MS);
    expect(claimed).toMatchObject({ interrupted: true, doc: { attempts: 2 } });
    const page = await repo.dueCandidates(new Date(), 10_000);
    expect(page.some((c) => c.lease_until !== null && c.lease_until > new Date())).toBe(false);
  });
});

describe('retry jobs by rev', () => {
  it('should claim by the rev the retry was scheduled with, once, and do nothing for a stale job', async () => {
    const stored = await storeDue();
    const first = (await repo.claimDue(await candidateOf(stored._id), new Date(), LEASE_MS))!;
    const due = new Date(Date.now() - 10);
    expect(await repo.conclude(first.doc, attemptLog(500), { state: 'pending', nextAttemptAt: due }, new Date())).toBe(true);
    // conclude() hands the new rev back on the document: the job is made with it.
    const scheduledRev = first.doc.rev!;
    expect((await deliveries.findOne({ _id: stored._id }))!.rev!.equals(scheduledRev)).toBe(true);

    const [a, b] = await Promise.all([repo.claim(stored._id, new Date(), LEASE_MS, 'retry', due, scheduledRev), other.claim(stored._id, new Date(), LEASE_MS, 'retry', due, scheduledRev)]);
    const won = a ?? b;
    expect([a, b].filter((r) => r !== null)).toHaveLength(1);
    expect(won).toMatchObject({ attempts: 2, next_trigger: 'retry', state: 'pending' });
    const after = (await deliveries.findOne({ _id: stored._id }))!;
    expect(after.attempts).toBe(2);
    expect(after.rev!.equals(won!.rev!)).toBe(true);
    // The same job again (Agenda ran it twice, or the drain took the retry first): nothing.
    expect(await repo.claim(stored._id, new Date(), LEASE_MS, 'retry', due, scheduledRev)).toBeNull();
    expect((await deliveries.findOne({ _id: stored._id }))!.attempts).toBe(2);
  });

  it('should undo a job claim whose delivery a writer moved without renewing rev, and leave its trigger as it was', async () => {
    const stored = await storeDue((d) => Object.assign(d, { next_trigger: 'replay' }));
    const due = stored.next_attempt_at!;
    const moved = new Date(due.getTime() + 5_000);
    await deliveries.updateOne({ _id: stored._id }, { $set: { next_attempt_at: moved } });
    expect(await repo.claim(stored._id, new Date(), LEASE_MS, 'retry', due, stored.rev)).toBeNull();
    const after = (await deliveries.findOne({ _id: stored._id }))!;
    expect(after).toMatchObject({ attempts: 0, lease_until: null, next_attempt_at: moved, next_trigger: 'replay', state: 'pending' });
  });
});

describe('conclusions by rev', () => {
  it('should leave an ended delivery without rev, and give one that stays pending a new rev', async () => {
    const done = await storeDue();
    const retried = await storeDue();
    const a = (await repo.claimDue(await candidateOf(done._id), new Date(), LEASE_MS))!;
    const b = (await repo.claimDue(await candidateOf(retried._id), new Date(), LEASE_MS))!;
    expect(await repo.conclude(a.doc, attemptLog(200), { state: 'succeeded' }, new Date())).toBe(true);
    const next = new Date(Date.now() + 60_000);
    const claimRev = b.doc.rev!;
    expect(await repo.conclude(b.doc, attemptLog(500), { state: 'pending', nextAttemptAt: next }, new Date())).toBe(true);
    const doneAfter = (await deliveries.findOne({ _id: done._id }))!;
    expect(doneAfter).toMatchObject({ state: 'succeeded', lease_until: null, attempts: 1 });
    expect(doneAfter).not.toHaveProperty('rev');
    const retriedAfter = (await deliveries.findOne({ _id: retried._id }))!;
    expect(retriedAfter).toMatchObject({ state: 'pending', lease_until: null, next_attempt_at: next, attempts: 1 });
    expect(retriedAfter.rev!.equals(claimRev)).toBe(false);
    expect(retriedAfter.rev!.equals(b.doc.rev!)).toBe(true); // handed back on the document
    // Many ended deliveries side by side: none holds a rev, so the unique sparse index never collides.
    expect(await deliveries.countDocuments({ state: { $ne: 'pending' }, rev: { $exists: true } })).toBe(0);
  });

  it('should record only the log of an attempt whose claim another process took over (lease run out)', async () => {
    const stored = await storeDue();
    const first = (await repo.claimDue(await candidateOf(stored._id), new Date(), LEASE_MS))!;
    // The first attempt is slow: its lease runs out and another process takes the delivery up.
    await deliveries.updateOne({ _id: stored._id }, { $set: { lease_until: new Date(Date.now() - 1) } });
    const second = (await other.claimDue(await candidateOf(stored._id), new Date(), LEASE_MS))!;
    expect(second).toMatchObject({ interrupted: true, doc: { attempts: 2 } });

    expect(await repo.conclude(first.doc, attemptLog(200), { state: 'succeeded' }, new Date())).toBe(false);
    expect(await repo.renewLease(first.doc, new Date(), LEASE_MS)).toBe(false);
    const mid = (await deliveries.findOne({ _id: stored._id }))!;
    expect(mid).toMatchObject({ state: 'pending', attempts: 2 });
    expect(mid.attempt_log).toHaveLength(1);
    expect(mid.rev!.equals(second.doc.rev!)).toBe(true);

    expect(await other.renewLease(second.doc, new Date(), LEASE_MS)).toBe(true);
    expect(await other.conclude(second.doc, attemptLog(200), { state: 'succeeded' }, new Date())).toBe(true);
    const after = (await deliveries.findOne({ _id: stored._id }))!;
    expect(after).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(after.attempt_log).toHaveLength(2);
  });

  it('should claim and conclude a delivery stored before rev existed by its fields, as before', async () => {
    const legacy = await storeDue((d) => delete d.rev);
    const candidate = await candidateOf(legacy._id);
    expect(candidate.rev).toBeUndefined();
    const [a, b] = await Promise.all([repo.claimDue(candidate, new Date(), LEASE_MS), other.claimDue(candidate, new Date(), LEASE_MS)]);
    const won = a ?? b;
    expect([a, b].filter((r) => r !== null)).toHaveLength(1);
    expect(won!.doc.rev).toBeInstanceOf(ObjectId);
    expect(await repo.conclude(won!.doc, attemptLog(200), { state: 'succeeded' }, new Date())).toBe(true);
    const after = (await deliveries.findOne({ _id: legacy._id }))!;
    expect(after).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(after).not.toHaveProperty('rev');
  });

  it('should send a lone claim and a lone conclusion as one findAndModify each, filtered by rev alone', async () => {
    await watchCommands(async (watched, seen) => {
      const stored = await storeDue();
      const candidate = await candidateOf(stored._id);
      const claimed = (await watched.claimDue(candidate, new Date(), LEASE_MS))!;
      await watched.conclude(claimed.doc, attemptLog(200), { state: 'succeeded' }, new Date());
      expect(seen.map((e) => e.commandName)).toEqual(['findAndModify', 'findAndModify']);
      const queries = seen.map((e) => e.command.query as Document);
      expect(queries.map((q) => Object.keys(q))).toEqual([['rev'], ['rev']]);
      expect((queries[0]!.rev as ObjectId).equals(candidate.rev!)).toBe(true);
      expect((queries[1]!.rev as ObjectId).equals(claimed.doc.rev!)).toBe(true);
    });
  });
});

/** Runs `body` with a `DeliveryClaims` on its own client, and the commands it sent (sessions aside). */
function watchCommands(body: (watched: DeliveryClaims, seen: CommandStartedEvent[]) => Promise<void>): Promise<void> {
  return withCommandLog(db.uri, db.dbName, (client, seen) => body(new DeliveryClaims(client.collection<DeliveryDoc>('rev_deliveries')), seen));
}

describe('claims and conclusions of one event-loop turn, grouped', () => {
  it('should claim 20 candidates with one bulk update by rev and one read, and conclude them with one bulk update', async () => {
    const stored = await Promise.all(Array.from({ length: 20 }, () => storeDue()));
    const page = await repo.dueCandidates(new Date(), 10_000);
    const candidates = stored.map((s) => page.find((c) => c._id.equals(s._id))!);
    await watchCommands(async (watched, seen) => {
      const claimed = await Promise.all(candidates.map((c) => watched.claimDue(c, new Date(), LEASE_MS)));
      expect(seen.map((e) => e.commandName)).toEqual(['update', 'find']);
      const statements = seen[0]!.command.updates as Array<{ q: Document }>;
      expect(statements).toHaveLength(20);
      expect(statements.every((u) => Object.keys(u.q).join() === 'rev')).toBe(true);
      expect(claimed.every((c) => c !== null && c.doc.attempts === 1 && c.doc.lease_until !== null)).toBe(true);
      expect(claimed.map((c) => c!.doc._id.toHexString()).sort()).toEqual(stored.map((s) => s._id.toHexString()).sort());

      seen.length = 0;
      const concluded = await Promise.all(claimed.map((c, i) => watched.conclude(c!.doc, attemptLog(i % 2 ? 200 : 500), i % 2 ? { state: 'succeeded' } : { state: 'pending', nextAttemptAt: new Date(Date.now() + 60_000) }, new Date())));
      expect(concluded).toEqual(claimed.map(() => true));
      expect(seen.map((e) => e.commandName)).toEqual(['update']);
    });
    const after = await deliveries.find({ _id: { $in: stored.map((s) => s._id) } }).toArray();
    for (const doc of after) {
      expect(doc.attempts).toBe(1);
      expect(doc.attempt_log).toHaveLength(1);
      expect(doc.lease_until).toBeNull();
    }
    expect(after.filter((d) => d.state === 'succeeded' && d.rev === undefined)).toHaveLength(10);
    expect(after.filter((d) => d.state === 'pending' && d.rev instanceof ObjectId)).toHaveLength(10);
  });

  it('should give each claim of a group its own outcome: taken by another process, changed without a new rev, or claimed', async () => {
    const stored = await Promise.all(Array.from({ length: 10 }, () => storeDue()));
    const page = await repo.dueCandidates(new Date(), 10_000);
    const candidates = stored.map((s) => page.find((c) => c._id.equals(s._id))!);
    // Three are claimed by another process first; two are moved out of due by a writer that does not renew rev.
    for (const c of candidates.slice(0, 3)) expect(await other.claimDue(c, new Date(), LEASE_MS)).not.toBeNull();
    const future = new Date(Date.now() + 3_600_000);
    await deliveries.updateMany({ _id: { $in: stored.slice(3, 5).map((s) => s._id) } }, { $set: { next_attempt_at: future } });

    const results = await Promise.all(candidates.map((c) => repo.claimDue(c, new Date(), LEASE_MS)));
    expect(results.map((r) => r !== null)).toEqual([false, false, false, false, false, true, true, true, true, true]);
    const after = new Map((await deliveries.find({ _id: { $in: stored.map((s) => s._id) } }).toArray()).map((d) => [d._id.toHexString(), d]));
    const at = (i: number): DeliveryDoc => after.get(stored[i]!._id.toHexString())!;
    for (const i of [0, 1, 2]) expect(at(i).attempts).toBe(1); // the other process's claim, untouched
    for (const i of [3, 4]) expect(at(i)).toMatchObject({ attempts: 0, lease_until: null, next_attempt_at: future, state: 'pending' }); // undone
    for (const i of [5, 6, 7, 8, 9]) expect(at(i).rev!.equals(results[i]!.doc.rev!)).toBe(true);
  });

  it('should tell each conclusion of a group whether it applied when another process took some of the deliveries over', async () => {
    const stored = await Promise.all(Array.from({ length: 10 }, () => storeDue()));
    const page = await repo.dueCandidates(new Date(), 10_000);
    const claimed = await Promise.all(stored.map((s) => repo.claimDue(page.find((c) => c._id.equals(s._id))!, new Date(), LEASE_MS)));
    // The attempts of four are slow: their leases run out and another process takes them up.
    const takenOver = stored.slice(0, 4).map((s) => s._id);
    await deliveries.updateMany({ _id: { $in: takenOver } }, { $set: { lease_until: new Date(Date.now() - 1) } });
    const again = await other.dueCandidates(new Date(), 10_000);
    for (const id of takenOver) expect(await other.claimDue(again.find((c) => c._id.equals(id))!, new Date(), LEASE_MS)).not.toBeNull();

    const logs = claimed.map((_, i) => ({ ...attemptLog(200), duration_ms: 10 + i }));
    const concluded = await Promise.all(claimed.map((c, i) => repo.conclude(c!.doc, logs[i]!, { state: 'succeeded' }, new Date())));
    expect(concluded).toEqual([false, false, false, false, true, true, true, true, true, true]);
    for (const [i, s] of stored.entries()) {
      const doc = (await deliveries.findOne({ _id: s._id }))!;
      // Each attempt's log is recorded exactly once, applied or not.
      expect(doc.attempt_log.map((l) => l.duration_ms)).toEqual([10 + i]);
      expect(doc).toMatchObject(i < 4 ? { state: 'pending', attempts: 2 } : { state: 'succeeded', attempts: 1 });
    }
  });
});

describe('a grouped command that fails', () => {
  it('should tell which conclusions the failed command applied all the same, make the others alone, and give the bad one its own error', async () => {
    // The writes made alone, as DeliveryClaims makes them (a findAndModify by rev).
    const grouped = new GroupedRevWrites(deliveries, {
      claim: () => Promise.reject(new Error('not used')),
      conclude: async (c) => (await deliveries.findOneAndUpdate({ rev: c.rev }, c.update, { projection: { _id: 1 } })) !== null,
      undoClaim: () => Promise.reject(new Error('not used')),
    });
    const stored = await Promise.all(Array.from({ length: 4 }, () => storeDue()));
    const conclusions: RevConclusion[] = stored.map((d, i) => {
      const log = { ...attemptLog(200), duration_ms: 100 + i };
      // The third update cannot be applied ($inc of a string): the command fails for it alone.
      const update = { $set: { lease_until: null }, $push: { attempt_log: log }, $unset: { rev: '' }, ...(i === 2 ? { $inc: { topic: 1 } } : { $set: { state: 'succeeded', lease_until: null } }) };
      return { id: d._id, rev: d.rev!, log, update };
    });
    const settled = await Promise.allSettled(conclusions.map((c) => grouped.conclude(c)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<boolean>).value)).toEqual([true, true, true]);
    for (const [i, d] of stored.entries()) {
      const after = (await deliveries.findOne({ _id: d._id }))!;
      // Each applied once (its log entry once), the bad one not at all.
      expect(after.attempt_log.map((l) => l.duration_ms)).toEqual(i === 2 ? [] : [100 + i]);
      expect(after.state).toBe(i === 2 ? 'pending' : 'succeeded');
    }
  });
});
