/**
 * What the API shows of deliveries beyond the stored documents: a destination's first page and a
 * single delivery include the first attempts publish has in flight (their documents are written
 * only with their outcome), as `sending`, from the webhooks' fan-out in any process; and the
 * account's pages read by creation-time windows (`delivery-pages.ts`).
 */
import { ObjectId } from 'mongodb';
import { ChameleonError } from '../../errors.js';
import type { DestinationKind } from '../destinations/destination.js';
import type { DeliveryDoc, WebhookDoc } from './documents.js';
import { newDelivery } from './delivery-fields.js';
import { deliveryPage } from './delivery-pages.js';
import type { DeliveryPage, DeliveryQuery, DeliveryReads } from './delivery-reads.js';
import type { DeliveryStats } from './delivery-stats.js';
import type { WebhooksRepo } from './webhooks-repo.js';

/** What the views read with. */
export interface DeliveryViewsDeps {
  deliveries: DeliveryReads;
  webhooks: Pick<WebhooksRepo, 'recentFanoutTo' | 'recentWithDelivery'>;
  stats: Pick<DeliveryStats, 'hourly'>;
  /** A first attempt's lease: fan-outs older than that are no longer in flight. */
  leaseMs: number;
  /** Attempts allowed per delivery (shown on a `sending` one). */
  maxAttempts: number;
}

/** Deliveries as the API lists and shows them (stored ones, and first attempts in flight). */
export class DeliveryViews {
  constructor(private readonly deps: DeliveryViewsDeps) {}

  /**
   * A page of a destination's deliveries, newest first. The first page (no cursor) also lists the
   * first attempts publish has in flight, whose documents are written only with their outcome,
   * as `sending` (from the webhooks' fan-out, in any process).
   */
  async listDeliveries(destination: { kind: DestinationKind; id: ObjectId; account: string }, page: DeliveryPage): Promise<DeliveryDoc[]> {
    const stored = await this.deps.deliveries.listFor(destination.id, destination.account, page);
    const firstPage = page.cursor === undefined || Object.keys(page.cursor).length === 0;
    if (!firstPage || (page.state !== undefined && page.state !== 'sending')) return stored;
    const now = new Date();
    const webhooks = await this.deps.webhooks.recentFanoutTo(destination.account, destination.id, new Date(now.getTime() - this.deps.leaseMs));
    const entries = webhooks.flatMap((w) => (w.fanout ?? []).filter((f) => f.endpoint_id.equals(destination.id)).map((f) => ({ webhook: w, id: f.delivery_id })));
    if (entries.length === 0) return stored;
    const written = await this.deps.deliveries.existing(entries.map((e) => e.id));
    const sending = entries.filter((e) => !written.has(e.id.toHexString())).map((e) => this.sendingDelivery(e.webhook, e.id, destination));
    return [...sending, ...stored];
  }

  /**
   * A page of an account's deliveries of every destination, newest first, narrowed by the
   * query's filters (the dashboard), read by creation-time windows sized from the hourly counts.
   */
  deliveryPage(account: string, q: DeliveryQuery): Promise<DeliveryDoc[]> {
    return deliveryPage({ deliveries: this.deps.deliveries, hourly: (a, since, until) => this.deps.stats.hourly(a, since, until) }, account, q);
  }

  /**
   * One delivery of the account, or a `404`. A first attempt publish has in flight (its document
   * is written only with its outcome) is found in its webhook's fan-out and shown as `sending`.
   */
  async delivery(account: string, deliveryId: string): Promise<DeliveryDoc> {
    const id = /^[0-9a-fA-F]{24}$/.test(deliveryId) ? new ObjectId(deliveryId) : undefined;
    const doc = id ? ((await this.deps.deliveries.findForAccount(id, account)) ?? (await this.inFlightFirstAttempt(account, id))) : null;
    if (!doc) throw new ChameleonError('CH_ERR_NOT_FOUND', `No delivery with id ${deliveryId}`);
    return doc;
  }

  /** A delivery whose first attempt is in flight, from its webhook's fan-out; or `null`. */
  private async inFlightFirstAttempt(account: string, id: ObjectId): Promise<DeliveryDoc | null> {
    const webhook = await this.deps.webhooks.recentWithDelivery(account, id, new Date(Date.now() - this.deps.leaseMs));
    const entry = webhook?.fanout?.find((f) => f.delivery_id.equals(id));
    if (!webhook || !entry) return null;
    // Its outcome may have been written between the two reads.
    const written = await this.deps.deliveries.findForAccount(id, account);
    return written ?? this.sendingDelivery(webhook, id, { kind: entry.destination_kind ?? 'endpoint', id: entry.endpoint_id, account });
  }

  /** The document a first attempt in flight will be written as, shown meanwhile (as `sending`). */
  private sendingDelivery(webhook: WebhookDoc, id: ObjectId, destination: { kind: DestinationKind; id: ObjectId; account: string }): DeliveryDoc {
    const doc = newDelivery({ account: destination.account, webhookId: webhook._id, destination, topic: webhook.topic, maxAttempts: this.deps.maxAttempts, trigger: 'publish' }, webhook.created_at, this.deps.leaseMs, true);
    return { ...doc, _id: id };
  }
}
