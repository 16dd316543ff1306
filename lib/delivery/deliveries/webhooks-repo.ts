/**
 * Published webhooks (the activity deliveries carry): stored once per publish, read by
 * attempts, replays and the fan-out check.
 */
import type { Collection, ObjectId } from 'mongodb';
import type { WebhookDoc } from './documents.js';
import { GroupCommit } from '../../store/group-commit.js';
import { insertOutcomes } from '../../store/insert-many.js';
import { isDuplicateKey } from '../../store/mongo-errors.js';

/** Reads and writes webhooks (the only code that touches their collection). */
export class WebhooksRepo {
  constructor(private readonly collection: Collection<WebhookDoc>) {}

  /** Publishes of one event-loop turn share one `insertMany` (group commit). */
  private readonly inserts = new GroupCommit<WebhookDoc, true>(
    (docs) => insertOutcomes(docs.length, () => this.collection.insertMany(docs, { ordered: false })),
    async (doc) => {
      try {
        await this.collection.insertOne(doc);
      } catch (error) {
        // Its own `_id` already stored: the failed group wrote it before failing.
        if (!isDuplicateKey(error, '_id')) throw error;
      }
      return true;
    },
  );

  /** Stores a published webhook; concurrent publishes are written together, each settling with its own outcome. */
  async insert(doc: WebhookDoc): Promise<void> {
    await this.inserts.submit(doc);
  }

  /** One webhook by id, or `null` (expired or never stored). */
  byId(id: ObjectId): Promise<WebhookDoc | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Webhooks by id (those that exist), keyed by hex id. */
  async byIds(ids: ObjectId[]): Promise<Map<string, WebhookDoc>> {
    const docs = ids.length === 0 ? [] : await this.collection.find({ _id: { $in: ids } }).toArray();
    return new Map(docs.map((d) => [d._id.toHexString(), d]));
  }

  /**
   * An account's webhooks since `since` whose fan-out names this destination (their first
   * attempts may still be in flight, their delivery documents not written yet), without their data.
   */
  recentFanoutTo(account: string, destinationId: ObjectId, since: Date): Promise<WebhookDoc[]> {
    return this.collection
      .find({ account, created_at: { $gte: since }, 'fanout.endpoint_id': destinationId }, { projection: { data: 0 } })
      .sort({ created_at: -1 })
      .limit(1000)
      .toArray();
  }

  /**
   * The account's webhook since `since` whose fan-out holds this delivery (its first attempt may
   * still be in flight, its document not written yet), without its data; or `null`.
   */
  recentWithDelivery(account: string, deliveryId: ObjectId, since: Date): Promise<WebhookDoc | null> {
    return this.collection.findOne({ account, created_at: { $gte: since }, 'fanout.delivery_id': deliveryId }, { projection: { data: 0 } });
  }

  /** An account's webhooks of these topics since `since`, oldest first, at most `limit` (replay). */
  since(account: string, since: Date, topics: readonly string[], limit: number): Promise<WebhookDoc[]> {
    return this.collection
      .find({ account, created_at: { $gte: since }, topic: { $in: [...topics] } })
      .sort({ created_at: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * Webhooks with a `fanout` whose `_id` is in [`from`, `to`), without their data, in batches of
   * `batchSize` (the fan-out check's walk). One query whose cursor is read batch by batch, not a
   * sorted and limited query per page: on a server that cannot serve the `_id` range from its
   * index (the test server), each such page query was a scan of the whole collection.
   */
  async *fanoutBatches(from: ObjectId, to: ObjectId, batchSize: number): AsyncGenerator<WebhookDoc[]> {
    const cursor = this.collection.find({ _id: { $gte: from, $lt: to }, fanout: { $exists: true } }, { projection: { data: 0 }, batchSize });
    try {
      let batch: WebhookDoc[] = [];
      for await (const doc of cursor) {
        batch.push(doc);
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await cursor.close();
    }
  }
}
