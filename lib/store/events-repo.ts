/**
 * The events repository: the only module that touches the `events` collection. Inserts (one,
 * grouped with the others of its event-loop turn, or many unordered, optionally idempotent by
 * `_id`) and a profile's events newest first.
 */
import type { Collection, Document, ObjectId } from 'mongodb';
import type { EventDoc } from './documents.js';
import { isDuplicateKey } from './mongo-errors.js';
import { GroupCommit } from './group-commit.js';
import { insertOutcomes } from './insert-many.js';

/** Reads and writes events. */
export class EventsRepo {
  constructor(private readonly collection: Collection<EventDoc>) {}

  /** Single events of one event-loop turn share one unordered `insertMany` (group commit). */
  private readonly inserts = new GroupCommit<EventDoc, true>(
    (docs) => insertOutcomes(docs.length, () => this.collection.insertMany(docs, { ordered: false })),
    async (doc) => {
      await this.collection.insertOne(doc);
      return true;
    },
  );

  /**
   * Stores one event, with the other single events of the same event-loop turn. With
   * `idempotent`, an event whose `_id` is already stored is left as it is (the caller may apply
   * the same input twice).
   */
  async insert(doc: EventDoc, idempotent = false): Promise<void> {
    try {
      await this.inserts.submit(doc);
    } catch (error) {
      if (!idempotent || !isDuplicateKey(error)) throw error;
    }
  }

  /**
   * Stores many events in one unordered write; events whose `_id` is already stored are left as
   * they are. Returns the error of each other event that failed, by its index in `docs`.
   */
  async insertMany(docs: EventDoc[]): Promise<Map<number, unknown>> {
    const failures = new Map<number, unknown>();
    if (docs.length === 0) return failures;
    try {
      await this.collection.insertMany(docs, { ordered: false });
    } catch (error) {
      const writeErrors = (error as { writeErrors?: Array<{ index: number; code?: number }> | { index: number; code?: number } }).writeErrors;
      if (!writeErrors) throw error;
      for (const e of Array.isArray(writeErrors) ? writeErrors : [writeErrors]) if (e.code !== 11000) failures.set(e.index, e);
    }
    return failures;
  }

  /** A profile's events, newest first, after the page `filter` (a `created_at` cursor). */
  byProfile(account: string, profileId: ObjectId, filter: Document, limit: number): Promise<EventDoc[]> {
    return this.collection.find({ account, profile_id: profileId, ...filter }).sort({ created_at: -1, _id: -1 }).limit(limit).toArray();
  }
}
