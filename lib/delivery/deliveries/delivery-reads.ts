/**
 * Reads of deliveries: one by id, a destination's or an account's pages, changes since a time
 * (`tail`), the pending summary and which ids exist. Writes are in `delivery-claims.ts`.
 */
import type { Collection, Document, Filter, ObjectId } from 'mongodb';
import type { DeliveryDoc, DeliveryState } from './documents.js';

/** A page of a destination's deliveries, newest first. */
export interface DeliveryPage {
  /** The cursor's filter (`parsePage(…, 'created_at').filter`): deliveries strictly older than it. */
  cursor?: Document;
  limit: number;
  /** A stored state, `sending` (pending with an attempt in flight) or `held` (ordered, waiting for earlier ones). */
  state?: DeliveryState | 'sending' | 'held';
}

/** What the dashboard's delivery list asks for. */
export interface DeliveryQuery {
  destinationId?: ObjectId;
  webhookId?: ObjectId;
  topic?: string;
  /**
   * A stored state (`pending`: not held), `retrying` (pending after a failed attempt) or `held`
   * (ordered delivery waiting for the earlier ones of its profile).
   */
  state?: DeliveryState | 'retrying' | 'held';
  from?: Date;
  to?: Date;
  /** The cursor's filter (`parsePage(…, 'created_at').filter`). */
  cursor?: Document;
  /** The cursor's time (`parsePage(…).time`): nothing created after it is on the page. */
  cursorTime?: Date;
  limit: number;
}

/** Creation times a query is narrowed to, on top of its own `from`/`to`: `[since, before)`. */
export interface CreatedWindow {
  since?: Date;
  before?: Date;
}

/** Reads deliveries (with `DeliveryClaims`, the only code that touches their collection). */
export class DeliveryReads {
  constructor(private readonly collection: Collection<DeliveryDoc>) {}

  /** One delivery of an account, or `null`. */
  findForAccount(id: ObjectId, account: string): Promise<DeliveryDoc | null> {
    return this.collection.findOne({ _id: id, account });
  }

  /** One delivery by id, or `null`. */
  byId(id: ObjectId): Promise<DeliveryDoc | null> {
    return this.collection.findOne({ _id: id });
  }

  /** A page of one destination's deliveries, newest first. */
  listFor(destinationId: ObjectId, account: string, page: DeliveryPage): Promise<DeliveryDoc[]> {
    const filter: Filter<DeliveryDoc> = { endpoint_id: destinationId, account, ...page.cursor };
    if (page.state === 'sending') Object.assign(filter, { state: 'pending', held: { $ne: true }, lease_until: { $gt: new Date() } });
    else if (page.state === 'held') Object.assign(filter, { state: 'pending', held: true });
    else if (page.state === 'pending') Object.assign(filter, { state: 'pending', held: { $ne: true } });
    else if (page.state) filter.state = page.state;
    return this.collection.find(filter).sort({ created_at: -1, _id: -1 }).limit(page.limit).toArray();
  }

  /**
   * An account's deliveries changed (created, attempted, concluded) after `since`, oldest change
   * first: what `chameleon-hooks tail` follows.
   */
  changedSince(account: string, since: Date, limit: number): Promise<DeliveryDoc[]> {
    return this.collection.find({ account, updated_at: { $gt: since } }).sort({ updated_at: 1, _id: 1 }).limit(limit).toArray();
  }

  /**
   * A page of an account's deliveries, newest first, narrowed by destination, webhook, topic,
   * state (as {@link DeliveryQuery.state}) and creation time (the dashboard), and
   * optionally to a window of creation times (see `delivery-pages.ts`).
   */
  page(account: string, q: DeliveryQuery, window: CreatedWindow = {}): Promise<DeliveryDoc[]> {
    const filter: Filter<DeliveryDoc> = { account, ...q.cursor };
    if (q.destinationId) filter.endpoint_id = q.destinationId;
    if (q.webhookId) filter.webhook_id = q.webhookId;
    if (q.topic !== undefined) filter.topic = q.topic;
    if (q.state === 'retrying') Object.assign(filter, { state: 'pending', last_error: { $ne: null } });
    else if (q.state === 'held') Object.assign(filter, { state: 'pending', held: true });
    else if (q.state === 'pending') Object.assign(filter, { state: 'pending', held: { $ne: true } });
    else if (q.state !== undefined) filter.state = q.state;
    const since = q.from && window.since ? (q.from > window.since ? q.from : window.since) : (q.from ?? window.since);
    const created = { ...(since ? { $gte: since } : {}), ...(q.to ? { $lte: q.to } : {}), ...(window.before ? { $lt: window.before } : {}) };
    if (Object.keys(created).length > 0) filter.created_at = created;
    return this.collection.find(filter).sort({ created_at: -1, _id: -1 }).limit(q.limit).toArray();
  }

  /** How many of an account's deliveries are pending, and when the oldest was created (one pass). */
  async pendingSummary(account: string): Promise<{ count: number; oldest: Date | null }> {
    const [row] = await this.collection
      .aggregate<{ count: number; oldest: Date | null }>([
        { $match: { account, state: 'pending' } },
        { $group: { _id: null, count: { $sum: 1 }, oldest: { $min: '$created_at' } } },
      ])
      .toArray();
    return { count: row?.count ?? 0, oldest: row?.oldest ?? null };
  }

  /** Which of these ids have a document. */
  async existing(ids: ObjectId[]): Promise<Set<string>> {
    const docs = await this.collection.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
    return new Set(docs.map((d) => d._id.toHexString()));
  }

  /** The state (and whether held) of these deliveries, keyed by hex id (those that exist). */
  async statesOf(ids: ObjectId[]): Promise<Map<string, Pick<DeliveryDoc, 'state' | 'held'>>> {
    if (ids.length === 0) return new Map();
    const docs = await this.collection.find({ _id: { $in: ids } }, { projection: { _id: 1, state: 1, held: 1 } }).toArray();
    return new Map(docs.map((d) => [d._id.toHexString(), { state: d.state, held: d.held }]));
  }
}
