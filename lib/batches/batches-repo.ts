/**
 * The only module that touches the batch collections. Recording writes the chunks first, then
 * the queue entry, then the record: a record exists only once everything it needs is stored.
 * Applying is claimed with a lease on the record (one conditional update by `_id`), and each
 * chunk's progress is recorded with its errors in one conditional update, so a chunk's errors
 * are counted once however often the chunk is applied.
 */
import type { Collection, ObjectId } from 'mongodb';
import { MAX_LISTED_ERRORS, chunkId, type BatchChunkDoc, type BatchDoc, type BatchItemError, type BatchQueueDoc } from './documents.js';

/** Queue entries looked at per claim. */
const CLAIM_SCAN = 32;

/** The collections of batches. */
export interface BatchCollections {
  batches: Collection<BatchDoc>;
  chunks: Collection<BatchChunkDoc>;
  queue: Collection<BatchQueueDoc>;
}

/** Reads and writes batch records, chunks and the queue. */
export class BatchesRepo {
  constructor(private readonly c: BatchCollections) {}

  /** Stores chunks (before the record that names them). */
  async insertChunks(chunks: BatchChunkDoc[]): Promise<void> {
    if (chunks.length > 0) await this.c.chunks.insertMany(chunks, { ordered: true });
  }

  /**
   * Stores the record of a batch whose chunks are stored. A batch with chunks to apply is queued
   * first: a queue entry whose record never came (a crash in between) is dropped by {@link claim}.
   */
  async insertBatch(doc: BatchDoc): Promise<void> {
    if (doc.chunks > doc.applied_chunks) {
      await this.c.queue.insertOne({ _id: doc._id, account: doc.account, chunks: doc.chunks, created_at: doc.created_at });
    }
    await this.c.batches.insertOne(doc);
  }

  /** A batch of this account, or `null`. */
  find(account: string, id: ObjectId): Promise<BatchDoc | null> {
    return this.c.batches.findOne({ _id: id, account });
  }

  /** One chunk, or `null` when it is gone. */
  chunk(batchId: ObjectId, n: number): Promise<BatchChunkDoc | null> {
    return this.c.chunks.findOne({ _id: chunkId(batchId, n) });
  }

  /**
   * Claims a queued batch whose lease is free (never taken, or run out: its process stopped or
   * crashed) for `owner` until `now + leaseMs`, oldest first, or `preferred` when given.
   * Entries of finished batches, and of records that never came, are removed on the way.
   */
  async claim(owner: string, leaseMs: number, now: Date, preferred?: ObjectId): Promise<BatchDoc | null> {
    const entries = preferred
      ? await this.c.queue.find({ _id: preferred }).toArray()
      : await this.c.queue.find({}).sort({ created_at: 1 }).limit(CLAIM_SCAN).toArray();
    if (entries.length === 0) return null;
    const records = await this.c.batches
      .find({ _id: { $in: entries.map((e) => e._id) } }, { projection: { state: 1, lease_until: 1 } })
      .toArray();
    const byId = new Map(records.map((r) => [r._id.toHexString(), r]));
    for (const entry of entries) {
      const record = byId.get(entry._id.toHexString());
      if (!record) {
        // Recorded only halfway (a crash between the queue entry and the record): nothing was answered.
        if (now.getTime() - entry.created_at.getTime() > leaseMs) await this.drop(entry._id, entry.chunks);
        continue;
      }
      if (record.state === 'done' || record.state === 'failed') {
        await this.drop(entry._id, entry.chunks);
        continue;
      }
      if (record.lease_until && record.lease_until > now) continue;
      const claimed = await this.c.batches.findOneAndUpdate(
        { _id: entry._id, state: { $in: ['queued', 'applying'] }, $or: [{ lease_until: { $exists: false } }, { lease_until: { $lte: now } }] },
        { $set: { state: 'applying', lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs) }, $min: { started_at: now } },
        { returnDocument: 'after' },
      );
      if (claimed) return claimed;
    }
    return null;
  }

  /**
   * Records that chunk `n` is applied, with its errors, if `owner` still holds the batch and
   * `n` is its next chunk; renews the lease. `false` means another process has taken it over.
   */
  async recordProgress(batchId: ObjectId, owner: string, n: number, items: number, errors: BatchItemError[], leaseUntil: Date): Promise<boolean> {
    const update: Record<string, unknown> = {
      $set: { applied_chunks: n + 1, lease_until: leaseUntil },
      $inc: { applied_items: items, errors_count: errors.length },
    };
    if (errors.length > 0) update.$push = { errors: { $each: errors.slice(0, MAX_LISTED_ERRORS), $slice: MAX_LISTED_ERRORS } };
    const doc = await this.c.batches.findOneAndUpdate({ _id: batchId, lease_owner: owner, applied_chunks: n }, update, { projection: { _id: 1 } });
    return doc !== null;
  }

  /** Ends a batch `owner` holds (`done`, or `failed`), then removes its chunks and queue entry. */
  async finish(batchId: ObjectId, owner: string, chunks: number, state: 'done' | 'failed', now: Date): Promise<boolean> {
    const doc = await this.c.batches.findOneAndUpdate(
      { _id: batchId, lease_owner: owner },
      // `lease_owner` stays: the process that finished it.
      { $set: { state, completed_at: now }, $unset: { lease_until: '' } },
      { projection: { _id: 1 } },
    );
    if (doc) await this.drop(batchId, chunks);
    return doc !== null;
  }

  /** Gives a batch back at once (this process is stopping), so any process may resume it. */
  async release(batchId: ObjectId, owner: string): Promise<void> {
    await this.c.batches.findOneAndUpdate({ _id: batchId, lease_owner: owner }, { $set: { lease_until: new Date(0) } }, { projection: { _id: 1 } });
  }

  /** Removes a finished batch's chunks (by `_id`, the lookup every server indexes) and its queue entry. */
  private async drop(batchId: ObjectId, chunks: number): Promise<void> {
    const ids = Array.from({ length: chunks }, (_, n) => chunkId(batchId, n));
    for (let i = 0; i < ids.length; i += 1000) await this.c.chunks.deleteMany({ _id: { $in: ids.slice(i, i + 1000) } });
    await this.c.queue.deleteOne({ _id: batchId });
  }
}
