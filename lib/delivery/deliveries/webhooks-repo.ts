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
   * Webhooks with a `fanout` whose `_id` is in a range, by `_id`, without their data (the
   * fan-out check's pages).
   */
  fanoutPage(range: { gte?: ObjectId; gt?: ObjectId; lt: ObjectId }, limit: number): Promise<WebhookDoc[]> {
    const idRange: Record<string, ObjectId> = { $lt: range.lt };
    if (range.gte) idRange.$gte = range.gte;
    if (range.gt) idRange.$gt = range.gt;
    return this.collection
      .find({ _id: idRange, fanout: { $exists: true } }, { projection: { data: 0 } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }
}
