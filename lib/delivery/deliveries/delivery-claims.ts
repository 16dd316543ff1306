/**
 * Writes of deliveries (to destinations of any kind): creation, the atomic claim that counts an
 * attempt *before* its request (so a delivery that crashes the process every time still ends),
 * lease renewal, outcomes, holds and the due drain's query. Reads are in `delivery-reads.ts`.
 *
 * Every change to a pending delivery's state, attempts, lease or due time writes a new `rev`
 * (and an ended delivery holds none): the due drain claims, and attempts conclude, by
 * compare-and-set on `rev` alone, one lookup in its unique index on any server.
 */
import { GroupCommit } from '../../store/group-commit.js';
import { insertOutcomes } from '../../store/insert-many.js';
import { ObjectId, type Collection, type Document } from 'mongodb';
import { ATTEMPT_LOG_LIMIT, type AttemptLog, type AttemptTrigger, type DeliveryDoc, type WebhookDoc } from './documents.js';
import { byClaim, claimable, newDelivery, settledFields, withoutRev, type Conclusion, type DueCandidate } from './delivery-fields.js';
import { isDuplicateKey } from '../../store/mongo-errors.js';
import { GroupedRevWrites } from './grouped-claims.js';

/** Creates deliveries and changes their state (with `DeliveryReads`, the only code that touches their collection). */
export class DeliveryClaims {
  /** The due drain's claims and the attempts' conclusions by `rev`, grouped per event-loop turn. */
  private readonly grouped: GroupedRevWrites;

  constructor(private readonly collection: Collection<DeliveryDoc>) {
    this.grouped = new GroupedRevWrites(collection, {
      claim: async (c) => {
        const before = await this.claimByRev(c.rev, c.set, c.accept);
        return before && ({ ...before, ...c.set, attempts: before.attempts + 1 } as DeliveryDoc);
      },
      conclude: (c) => this.updateIf({ rev: c.rev }, c.update),
      undoClaim: (rev, before) => this.undoClaim(rev, before),
    });
  }

  /**
   * A conditional update of one delivery (by `rev`, or by `_id` and its fields); whether it
   * matched. Written as `findOneAndUpdate` rather than `updateOne`: equally atomic, and on the
   * test server (mongo-java-server) it stops at the first match, where `updateOne` with
   * conditions beyond one unique key scans the whole collection. By `_id` and fields it still
   * reads every document stored before the match (about 30 ms at 100,000 deliveries, with the
   * collection locked): the hot paths go by `rev`, one unique-index lookup.
   */
  private async updateIf(filter: Document, update: Document): Promise<boolean> {
    return (await this.collection.findOneAndUpdate(filter, update, { projection: { _id: 1 } })) !== null;
  }

  /** Stores new deliveries. */
  async insert(docs: DeliveryDoc[]): Promise<void> {
    if (docs.length > 0) await this.collection.insertMany(docs, { ordered: false });
  }

  /** Stores one new delivery, in one `insertMany` with the others of the same event-loop turn. */
  async insertOne(doc: DeliveryDoc): Promise<void> {
    if (!(await this.insertUnsaved(doc))) throw new Error(`delivery ${doc._id.toHexString()} is stored already`);
  }

  /**
   * Writes a delivery not stored yet (a first attempt started from publish), with its state
   * already settled. `false` when its document exists already (the recovery sweep wrote it
   * because this attempt took too long): the caller then records through `conclude`.
   */
  async insertUnsaved(doc: DeliveryDoc): Promise<boolean> {
    try {
      return await this.unsavedInserts.submit(doc);
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** First outcomes of one event-loop turn share one `insertMany` (group commit); a duplicate `_id` is `false`. */
  private readonly unsavedInserts = new GroupCommit<DeliveryDoc, boolean>(
    async (docs) => (await insertOutcomes(docs.length, () => this.collection.insertMany(docs, { ordered: false }))).map((o) => (o.ok || !isDuplicateKey(o.error) ? o : { ok: true, value: false })),
    async (doc) => {
      await this.collection.insertOne(doc);
      return true;
    },
  );

  /**
   * Creates, for fan-out entries whose document was never written (the process stopped during
   * their first attempt), a pending delivery with that attempt counted and its lease over, so
   * the sweep attempts it again. Returns how many it created.
   */
  async materializeFanout(webhooks: WebhookDoc[], maxAttempts: number, now: Date): Promise<number> {
    const entries = webhooks.flatMap((w) => (w.fanout ?? []).map((f) => ({ webhook: w, ...f })));
    if (entries.length === 0) return 0;
    const ids = entries.map((e) => e.delivery_id);
    const stored = await this.collection.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
    const existing = new Set(stored.map((d) => d._id.toHexString()));
    const missing = entries
      .filter((e) => !existing.has(e.delivery_id.toHexString()))
      .map((e) => ({
        ...newDelivery({ account: e.webhook.account, webhookId: e.webhook._id, destination: { kind: e.destination_kind ?? 'endpoint', id: e.endpoint_id }, topic: e.webhook.topic, maxAttempts, trigger: 'recovery' }, e.webhook.created_at, 0, true),
        _id: e.delivery_id,
        lease_until: null,
        updated_at: now,
      }));
    if (missing.length === 0) return 0;
    try {
      await this.collection.insertMany(missing, { ordered: false });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another process wrote some of them meanwhile
    }
    return missing.length;
  }

  /**
   * Takes a pending delivery for one attempt: counts it and leases it, unless another attempt
   * holds a live lease. With `due`, only while the delivery is still due at that time (a job
   * made for an attempt that was rescheduled since does nothing); with `rev` too (a retry job
   * made when its delivery got that `rev`), by compare-and-set on it, one index lookup. Returns
   * the claimed document, or `null` when there is nothing to do.
   */
  async claim(id: ObjectId, now: Date, leaseMs: number, trigger?: AttemptTrigger, due?: Date, rev?: ObjectId): Promise<DeliveryDoc | null> {
    const set: Document & { rev: ObjectId } = { lease_until: new Date(now.getTime() + leaseMs), updated_at: now, rev: new ObjectId() };
    if (trigger) set.next_trigger = trigger;
    if (rev && due) {
      const before = await this.claimByRev(rev, set, (b) => b._id.equals(id) && claimable(b, now) && b.next_attempt_at?.getTime() === due.getTime());
      return before && ({ ...before, ...set, attempts: before.attempts + 1 } as DeliveryDoc);
    }
    return this.collection.findOneAndUpdate(
      { _id: id, state: 'pending', held: { $ne: true }, $or: [{ lease_until: null }, { lease_until: { $lt: now } }], ...(due ? { next_attempt_at: due } : {}) },
      { $inc: { attempts: 1 }, $set: set },
      { returnDocument: 'after' },
    );
  }

  /**
   * Extends the lease of an attempt that waited for a slot; `false` if someone else took it. On
   * success `doc.rev` is the delivery's new `rev`.
   */
  async renewLease(doc: DeliveryDoc, now: Date, leaseMs: number, saved = true): Promise<boolean> {
    const fields = { lease_until: new Date(now.getTime() + leaseMs), updated_at: now, rev: new ObjectId() };
    const renewed = saved ? await this.updateIf(byClaim(doc, saved), { $set: fields }) : await this.insertUnsaved({ ...doc, ...fields });
    if (renewed) doc.rev = fields.rev;
    return renewed;
  }

  /**
   * Gives back a claim whose attempt never started (shutdown): the count and the lease are
   * undone, and the delivery is due now, for the recovery sweep of any process.
   */
  async release(doc: DeliveryDoc, now: Date, saved = true): Promise<void> {
    const fields = { lease_until: null, next_attempt_at: now, updated_at: now, rev: new ObjectId() };
    if (!saved && (await this.insertUnsaved({ ...doc, ...fields, attempts: doc.attempts - 1 }))) return;
    await this.updateIf(byClaim(doc, saved), { $inc: { attempts: -1 }, $set: fields });
  }

  /**
   * Records an attempt and its conclusion. The state only changes if no later attempt was
   * claimed meanwhile (`attempts` unchanged); the log entry is kept either way. When it changed
   * and the delivery stays pending, `doc.rev` is its new `rev` (its retry job claims by it).
   */
  async conclude(doc: DeliveryDoc, log: AttemptLog, conclusion: Conclusion, now: Date, saved = true): Promise<boolean> {
    const set = settledFields(log, conclusion, now);
    const ended = conclusion.state !== 'pending';
    const applied = (): true => {
      if (set.rev) doc.rev = set.rev;
      return true;
    };
    if (!saved) {
      const settled = { ...doc, ...set, attempt_log: [log] };
      if (await this.insertUnsaved(ended ? withoutRev(settled) : settled)) return applied();
    }
    const push = { attempt_log: { $each: [log], $slice: -ATTEMPT_LOG_LIMIT } };
    const update: Document = { $set: set, $push: push, ...(ended ? { $unset: { rev: '' } } : {}) };
    const matched = saved && doc.rev ? await this.grouped.conclude({ id: doc._id, rev: doc.rev, update, log }) : await this.updateIf(byClaim(doc, saved), update);
    if (matched) return applied();
    await this.collection.updateOne({ _id: doc._id }, { $push: push } as Document);
    return false;
  }

  /**
   * Ends a delivery without an attempt (endpoint deleted or disabled, attempts exhausted by
   * crashes); whether this call ended it.
   */
  async abandon(doc: DeliveryDoc, state: 'failed' | 'cancelled', reason: string, now: Date, saved = true): Promise<boolean> {
    const ended = { state, lease_until: null, next_attempt_at: null, last_error: reason, completed_at: now, updated_at: now };
    if (!saved && (await this.insertUnsaved(withoutRev({ ...doc, ...ended })))) return true;
    return this.updateIf(saved && doc.rev ? { rev: doc.rev } : { _id: doc._id, state: 'pending' }, { $set: ended, $unset: { rev: '' } });
  }

  /**
   * Releases a held ordered delivery (its key's head now) and claims it for its first attempt
   * in this process; `null` when it is not held (someone else released it, or it ended).
   */
  claimHeld(id: ObjectId, now: Date, leaseMs: number): Promise<DeliveryDoc | null> {
    return this.collection.findOneAndUpdate(
      { _id: id, state: 'pending', held: true },
      { $inc: { attempts: 1 }, $set: { held: false, lease_until: new Date(now.getTime() + leaseMs), next_attempt_at: now, updated_at: now, rev: new ObjectId() } },
      { returnDocument: 'after' },
    );
  }

  /** Releases a held ordered delivery as due now, for the due drain of any process; whether it was held. */
  releaseHeld(id: ObjectId, now: Date): Promise<boolean> {
    return this.updateIf({ _id: id, state: 'pending', held: true }, { $set: { held: false, next_attempt_at: now, updated_at: now, rev: new ObjectId() } });
  }


  /**
   * Makes a delivery attemptable once more, right now (manual redelivery), even if it had
   * ended: one more attempt is allowed (an ended delivery gets exactly that one, not a new run of
   * retries), due at `due` (the manual retry passes a time a lease away and claims it by that
   * exact time itself, so the due drain cannot take it meanwhile). `null` when it does not exist or
   * an attempt is in flight.
   */
  async reopen(id: ObjectId, account: string, now: Date, due: Date = now): Promise<DeliveryDoc | null> {
    const doc = await this.collection.findOne({ _id: id, account });
    if (!doc) return null;
    if (doc.state === 'pending' && doc.lease_until && doc.lease_until > now) return null;
    const reopened = await this.updateIf(
      { _id: id, attempts: doc.attempts, state: doc.state },
      {
        $set: {
          state: 'pending',
          max_attempts: doc.state === 'pending' ? Math.max(doc.max_attempts, doc.attempts + 1) : doc.attempts + 1,
          lease_until: null,
          next_attempt_at: due,
          next_trigger: 'manual',
          completed_at: null,
          updated_at: now,
          rev: new ObjectId(),
        },
      },
    );
    return reopened ? { ...doc, state: 'pending' } : null;
  }

  /**
   * Due deliveries (pending, `next_attempt_at` reached, no live lease), oldest due first: what
   * the in-process drain needs to claim them one by one and to group them by destination.
   */
  dueCandidates(now: Date, limit: number): Promise<DueCandidate[]> {
    return this.collection
      .find(
        { state: 'pending', next_attempt_at: { $lte: now }, $or: [{ lease_until: null }, { lease_until: { $lt: now } }] },
        { projection: { _id: 1, endpoint_id: 1, webhook_id: 1, next_attempt_at: 1, lease_until: 1, rev: 1 } },
      )
      .sort({ next_attempt_at: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * Claims a due delivery for one attempt if it is still as the due query read it: counts the
   * attempt and leases it. Returns the claimed document and whether an earlier attempt's lease
   * had run out (the process making it stopped: a recovery), or `null`.
   *
   * By compare-and-set on the `rev` the due query read: it matches only if nothing changed the
   * delivery since, when it was claimable (and claimable it stays: due times and leases only
   * pass). The document as it was before is checked all the same, and the claim undone if it was
   * not claimable (a writer that did not renew `rev`, e.g. an older version of the package during
   * a rolling upgrade). A candidate without `rev` (stored before it existed) is claimed by its
   * fields, as before.
   */
  async claimDue(candidate: DueCandidate, now: Date, leaseMs: number): Promise<{ doc: DeliveryDoc; interrupted: boolean } | null> {
    const fields = { lease_until: new Date(now.getTime() + leaseMs), updated_at: now, rev: new ObjectId() };
    if (candidate.rev) {
      const doc = await this.grouped.claim({ rev: candidate.rev, set: fields, leaseBefore: candidate.lease_until, accept: (b) => claimable(b, now) });
      return doc && { doc, interrupted: candidate.lease_until !== null };
    }
    const before = await this.collection.findOneAndUpdate(
      { _id: candidate._id, state: 'pending', held: { $ne: true }, next_attempt_at: { $lte: now }, $or: [{ lease_until: null }, { lease_until: { $lt: now } }] },
      { $inc: { attempts: 1 }, $set: fields },
      { returnDocument: 'before' },
    );
    if (!before) return null;
    return { doc: { ...before, ...fields, attempts: before.attempts + 1 }, interrupted: before.lease_until !== null };
  }

  /**
   * Counts an attempt and sets `set` (with its new `rev`) on the delivery holding `rev`, and
   * returns it as it was before, if `accept` says it could be claimed then; otherwise the claim
   * is undone (a writer changed it without renewing `rev`) and the answer is `null`.
   */
  private async claimByRev(rev: ObjectId, set: Document & { rev: ObjectId }, accept: (before: DeliveryDoc) => boolean): Promise<DeliveryDoc | null> {
    const before = await this.collection.findOneAndUpdate({ rev }, { $inc: { attempts: 1 }, $set: set }, { returnDocument: 'before' });
    if (!before || accept(before)) return before;
    await this.undoClaim(set.rev, before);
    return null;
  }

  /** Undoes a claim made without cause (the delivery holds `rev`, and was `before` it): the attempt uncounted, its lease as it was. */
  private async undoClaim(rev: ObjectId, before: DeliveryDoc): Promise<void> {
    const restore = { lease_until: before.lease_until, updated_at: before.updated_at, next_trigger: before.next_trigger };
    await this.updateIf({ rev }, before.state === 'pending'
      ? { $inc: { attempts: -1 }, $set: { ...restore, rev: new ObjectId() } }
      : { $inc: { attempts: -1 }, $set: restore, $unset: { rev: '' } });
  }

  /** Cancels every pending delivery of a destination. */
  async cancelForDestination(destinationId: ObjectId, reason: string, now: Date): Promise<number> {
    const result = await this.collection.updateMany(
      { endpoint_id: destinationId, state: 'pending' },
      { $set: { state: 'cancelled', lease_until: null, next_attempt_at: null, last_error: reason, completed_at: now, updated_at: now }, $unset: { rev: '' } },
    );
    return result.modifiedCount;
  }
}
