/**
 * The per-(endpoint, profile) queues of ordered delivery: one small document per key
 * (`_id` = `endpointId|profileId`, so every lookup is by the unique `_id`), holding the ids of
 * the key's deliveries that have not ended, in publish order. Only the first (the head) may be
 * attempted; it is removed when it ends, and the next one is released.
 */
import type { AnyBulkWriteOperation, Collection, Document, ObjectId } from 'mongodb';
import { GroupCommit, type ItemOutcome } from '../../store/group-commit.js';
import { writeErrorsOf } from '../../store/insert-many.js';
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

/** One append to a key's queue. */
interface Push {
  key: string;
  endpointId: ObjectId;
  ids: ObjectId[];
  now: Date;
}

/** One removal from a key's queue. */
interface Removal {
  key: string;
  id: ObjectId;
  now: Date;
}

/**
 * Reads and writes the ordering queues (the only code that touches their collection). Appends and
 * removals of one event-loop turn are grouped (`group-commit.ts`): one bulk write, then one read
 * of the heads of the keys it touched, instead of one `findAndModify` each. A head read after the
 * group is the head at that later moment, which callers take as they would a head read after their
 * own write: a delivery is claimed only by compare-and-set, and the enqueue checks its key's head
 * again after writing.
 */
export class OrderQueuesRepo {
  private readonly pushes = new GroupCommit<Push, ObjectId | undefined>(
    (items) => this.pushGroup(items),
    (item) => this.pushOne(item),
  );
  private readonly removals = new GroupCommit<Removal, ObjectId | undefined>(
    (items) => this.removeGroup(items),
    (item) => this.removeOne(item),
  );

  constructor(private readonly collection: Collection<OrderQueueDoc>) {}

  /** Appends `ids` (in order) to a key's queue, creating it; returns the queue's head after. */
  push(key: string, endpointId: ObjectId, ids: ObjectId[], now: Date): Promise<ObjectId | undefined> {
    return this.pushes.submit({ key, endpointId, ids, now });
  }

  /** The head of a key's queue, or `undefined` when it is empty. */
  async head(key: string): Promise<ObjectId | undefined> {
    return (await this.collection.findOne({ _id: key }, { projection: { queue: { $slice: 1 } } }))?.queue[0];
  }

  /** Removes an ended delivery from its key's queue; returns the head after (the next to deliver). */
  remove(key: string, id: ObjectId, now: Date): Promise<ObjectId | undefined> {
    return this.removals.submit({ key, id, now });
  }

  private static pushUpdate(item: Push): Document {
    return { $push: { queue: { $each: item.ids } }, $set: { updated_at: item.now }, $setOnInsert: { endpoint_id: item.endpointId, moved_at: item.now } };
  }

  private async pushOne(item: Push): Promise<ObjectId | undefined> {
    for (let tries = 0; ; tries++) {
      try {
        const doc = await this.collection.findOneAndUpdate({ _id: item.key }, OrderQueuesRepo.pushUpdate(item), { upsert: true, returnDocument: 'after', projection: { queue: { $slice: 1 } } });
        return doc?.queue[0];
      } catch (error) {
        // Two processes created the key's queue at once: the loser appends to the winner's.
        if (tries > 2 || !isDuplicateKey(error)) throw error;
      }
    }
  }

  /**
   * Ordered, so that appends to one key keep their order. Two processes creating a key's queue at
   * once fail one upsert with a duplicate key, which stops the group there: the appends from it on
   * are made one at a time, in order (each retries as the winner's append).
   */
  private async pushGroup(items: Push[]): Promise<Array<ItemOutcome<ObjectId | undefined>>> {
    if (items.length === 1) return [{ ok: true, value: await this.pushOne(items[0]!) }];
    try {
      await this.collection.bulkWrite(
        items.map((item): AnyBulkWriteOperation<OrderQueueDoc> => ({ updateOne: { filter: { _id: item.key }, update: OrderQueuesRepo.pushUpdate(item), upsert: true } })),
        { ordered: true },
      );
    } catch (error) {
      const stoppedAt = writeErrorsOf(error)?.[0];
      if (stoppedAt === undefined || !isDuplicateKey(stoppedAt)) throw error;
      for (const item of items.slice(stoppedAt.index)) await this.pushOne(item);
    }
    return this.headsOf(items.map((i) => i.key));
  }

  private async removeOne(item: Removal): Promise<ObjectId | undefined> {
    const doc = await this.collection.findOneAndUpdate({ _id: item.key }, { $pull: { queue: item.id }, $set: { moved_at: item.now, updated_at: item.now } }, { returnDocument: 'after', projection: { queue: { $slice: 1 } } });
    return doc?.queue[0];
  }

  private async removeGroup(items: Removal[]): Promise<Array<ItemOutcome<ObjectId | undefined>>> {
    if (items.length === 1) return [{ ok: true, value: await this.removeOne(items[0]!) }];
    await this.collection.bulkWrite(
      items.map((item): AnyBulkWriteOperation<OrderQueueDoc> => ({ updateOne: { filter: { _id: item.key }, update: { $pull: { queue: item.id }, $set: { moved_at: item.now, updated_at: item.now } } } })),
      { ordered: false },
    );
    return this.headsOf(items.map((i) => i.key));
  }

  /** The heads of `keys`' queues now, one per key given (in one query). */
  private async headsOf(keys: string[]): Promise<Array<ItemOutcome<ObjectId | undefined>>> {
    const docs = await this.collection.find({ _id: { $in: [...new Set(keys)] } }, { projection: { queue: { $slice: 1 } } }).toArray();
    const heads = new Map(docs.map((d) => [d._id, d.queue[0]]));
    return keys.map((key) => ({ ok: true, value: heads.get(key) }));
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
