/**
 * The per-(endpoint, profile) queues of ordered delivery: one small document per key
 * (`_id` = `endpointId|profileId`, so every lookup is by the unique `_id`), holding the ids of
 * the key's deliveries that have not ended, in publish order. Only the first (the head) may be
 * attempted; it is removed when it ends, and the next one is released.
 */
import type { Collection, ObjectId } from 'mongodb';
import { isDuplicateKey } from '../../store/mongo-errors.js';

/** One ordering key's queue. */
export interface OrderQueueDoc {
  /** `endpointId|profileId`. */
  _id: string;
  endpoint_id: ObjectId;
  /** Deliveries not ended yet, in publish order; the first is the one being delivered. */
  queue: ObjectId[];
  /** When the head last changed (the repair pass looks at queues whose head has not moved for a while). */
  moved_at: Date;
  updated_at: Date;
}

/** Reads and writes the ordering queues (the only code that touches their collection). */
export class OrderQueuesRepo {
  constructor(private readonly collection: Collection<OrderQueueDoc>) {}

  /** Appends `ids` (in order) to a key's queue, creating it; returns the queue's head after. */
  async push(key: string, endpointId: ObjectId, ids: ObjectId[], now: Date): Promise<ObjectId | undefined> {
    const update = { $push: { queue: { $each: ids } }, $set: { updated_at: now }, $setOnInsert: { endpoint_id: endpointId, moved_at: now } };
    for (let tries = 0; ; tries++) {
      try {
        const doc = await this.collection.findOneAndUpdate({ _id: key }, update, { upsert: true, returnDocument: 'after', projection: { queue: { $slice: 1 } } });
        return doc?.queue[0];
      } catch (error) {
        // Two processes created the key's queue at once: the loser appends to the winner's.
        if (tries > 2 || !isDuplicateKey(error)) throw error;
      }
    }
  }

  /** The head of a key's queue, or `undefined` when it is empty. */
  async head(key: string): Promise<ObjectId | undefined> {
    return (await this.collection.findOne({ _id: key }, { projection: { queue: { $slice: 1 } } }))?.queue[0];
  }

  /** Removes an ended delivery from its key's queue; returns the head after (the next to deliver). */
  async remove(key: string, id: ObjectId, now: Date): Promise<ObjectId | undefined> {
    const doc = await this.collection.findOneAndUpdate({ _id: key }, { $pull: { queue: id }, $set: { moved_at: now, updated_at: now } }, { returnDocument: 'after', projection: { queue: { $slice: 1 } } });
    return doc?.queue[0];
  }

  /** Queues whose head has not moved since `before`, with their head: the repair pass's work. */
  async stalled(before: Date, limit: number): Promise<Array<{ key: string; head: ObjectId }>> {
    const docs = await this.collection
      .find({ 'queue.0': { $exists: true }, moved_at: { $lt: before } }, { projection: { queue: { $slice: 1 } } })
      .limit(limit)
      .toArray();
    return docs.flatMap((d) => (d.queue[0] ? [{ key: d._id, head: d.queue[0] }] : []));
  }

  /**
   * Drops the queues that have been empty since before `before` (a profile with nothing pending).
   * Safe against a concurrent push: a queue that got one no longer matches when it is deleted, and a
   * push after the deletion creates the queue again.
   */
  async dropIdle(before: Date): Promise<number> {
    return (await this.collection.deleteMany({ queue: { $size: 0 }, moved_at: { $lt: before } })).deletedCount;
  }

  /** Drops every queue of a destination (it was deleted: its deliveries were all cancelled). */
  async deleteForEndpoint(endpointId: ObjectId): Promise<void> {
    await this.collection.deleteMany({ endpoint_id: endpointId });
  }
}
