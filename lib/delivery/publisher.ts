/**
 * The thin publisher: turns activity into deliveries. `publish` stores the webhook once with
 * its fan-out (one delivery per destination that takes it, any kind) and starts each first
 * attempt in-process; `forPing` and `forReplay` create deliveries to one destination.
 */
import { ObjectId } from 'mongodb';
import type { Config } from '../options.js';
import type { Account } from '../accounts/account-store.js';
import { validatePublishData, type PublishKind, type PublishPayloads } from '../topics/index.js';
import type { AttemptTrigger, DeliveryDoc, WebhookDoc } from './deliveries/documents.js';
import type { DeliveryClaims } from './deliveries/delivery-claims.js';
import { newDelivery } from './deliveries/delivery-fields.js';
import type { WebhooksRepo } from './deliveries/webhooks-repo.js';
import type { Destination } from './destinations/destination.js';
import type { DestinationRegistry } from './destinations/registry.js';
import type { AttemptRunner } from './attempts/attempt-runner.js';
import type { KeyedLimiter } from './attempts/limiter.js';
import type { Background } from './background/background.js';
import type { WorkTracker } from './background/work-tracker.js';
import type { OrderGate, OrderedDelivery } from './ordering/order-gate.js';
import { orderKeyOf } from './ordering/order-key.js';

/** Immediate attempts allowed to wait per destination before new ones go to Agenda instead. */
const MAX_WAITING_PER_DESTINATION = 1000;
/** Webhooks one replay may resend. */
export const MAX_REPLAY = 10_000;

/** What `publish` returns. */
export interface PublishResult {
  /** The webhook id (also `X-Chameleon-Id` and the body's `id`). */
  id: string;
  /** How many destinations it was fanned out to. */
  deliveries: number;
}

/** What the publisher needs. */
export interface PublisherDeps {
  config: Config;
  deliveries: DeliveryClaims;
  webhooks: WebhooksRepo;
  destinations: DestinationRegistry;
  runner: AttemptRunner;
  limiter: KeyedLimiter;
  background: Background;
  work: WorkTracker;
  leaseMs: number;
  /** Ordered delivery (endpoints with `ordering: 'profile'`). */
  ordering: OrderGate;
}

/** Creates deliveries from activity. */
export class Publisher {
  constructor(private readonly deps: PublisherDeps) {}

  /** Attempts allowed per delivery (the first plus the retry schedule). */
  get maxAttempts(): number {
    return this.deps.config.delivery.retrySchedule.length + 1;
  }

  /**
   * Validates, stores and fans out one activity to every destination that takes it. Activity kinds
   * (`tour.step.seen`, …) are accepted too; no endpoint takes them (endpoints subscribe to topics only).
   */
  async publish<T extends PublishKind>(account: Account, topic: T | string, data: PublishPayloads[T] | Record<string, unknown>): Promise<PublishResult> {
    this.deps.work.assertAccepting();
    validatePublishData(topic, data);
    const payload = data as unknown as Record<string, unknown>;
    const destinations = await this.deps.destinations.accepting(account.id, topic, payload);
    return this.fanOut(account.id, topic, payload, destinations, 'publish');
  }

  /** Stores a webhook and one delivery to `destination`, already claimed for a first attempt (ping). */
  async forPing(account: string, topic: string, data: Record<string, unknown>, destination: Destination): Promise<{ webhook: WebhookDoc; delivery: DeliveryDoc }> {
    const now = new Date();
    const webhook: WebhookDoc = { _id: new ObjectId(), account, topic, data, created_at: now };
    const delivery = newDelivery({ account, webhookId: webhook._id, destination, topic, maxAttempts: 1, trigger: 'ping' }, now, this.deps.leaseMs, true);
    await Promise.all([this.deps.webhooks.insert(webhook), this.deps.deliveries.insert([delivery])]);
    return { webhook, delivery };
  }

  /** New deliveries to `destination` of every webhook since `since` it takes, due now (the due drain sends them). */
  async forReplay(account: string, destination: Destination, since: Date): Promise<number> {
    const webhooks = await this.deps.webhooks.since(account, since, destination.topics, MAX_REPLAY);
    const now = new Date();
    const docs: DeliveryDoc[] = [];
    const ordered: OrderedDelivery[] = [];
    for (const w of webhooks) {
      if (!destination.accepts(w.topic, w.data)) continue;
      const fields = { account, webhookId: w._id, destination, topic: w.topic, maxAttempts: this.maxAttempts, trigger: 'replay' as const };
      const key = orderKeyOf(destination, w.data);
      if (key) ordered.push({ key, fields });
      else docs.push(newDelivery(fields, now, this.deps.leaseMs, false));
    }
    await this.deps.deliveries.insert(docs);
    if (ordered.length > 0) await this.deps.ordering.enqueueReplay(ordered, now);
    this.deps.background.nudge();
    return docs.length + ordered.length;
  }

  /**
   * Publish's write path: ONE insert, the webhook with its `fanout` (the deliveries whose first
   * attempt starts now). Each of those is written once, with its first outcome (the attempt
   * runs unsaved); a crash in between is repaired by the sweep from `fanout`. Destinations with
   * too many attempts waiting in this process get a pending delivery, due now, for the due drain.
   * Ordered destinations (`ordering: 'profile'`, a webhook with a profile) go through the order
   * gate instead: queued and written before publish returns, attempted now only when first in line.
   */
  private async fanOut(account: string, topic: string, data: Record<string, unknown>, destinations: Destination[], trigger: AttemptTrigger): Promise<PublishResult> {
    const { limiter, runner, work, leaseMs } = this.deps;
    const maxAttempts = this.maxAttempts;
    // Backpressure: while a destination's queue here is as long as its slots, wait (bounded) for room.
    const { perEndpointConcurrency, publishWaitMs } = this.deps.config.delivery;
    for (const d of destinations) await limiter.room(d.id.toHexString(), perEndpointConcurrency, publishWaitMs);
    const now = new Date();
    const webhook: WebhookDoc = { _id: new ObjectId(), account, topic, data, created_at: now };
    const make = (d: Destination, startsNow: boolean) => newDelivery({ account, webhookId: webhook._id, destination: d, topic, maxAttempts, trigger }, now, leaseMs, startsNow);
    const immediate: Array<{ destination: Destination; delivery: DeliveryDoc }> = [];
    const deferred: DeliveryDoc[] = [];
    const ordered: Array<{ destination: Destination; key: string }> = [];
    for (const d of destinations) {
      const key = d.ordering === 'profile' ? orderKeyOf(d, data) : undefined;
      if (key) ordered.push({ destination: d, key });
      else if (limiter.waiting(d.id.toHexString()) < MAX_WAITING_PER_DESTINATION) immediate.push({ destination: d, delivery: make(d, true) });
      else deferred.push(make(d, false));
    }
    if (immediate.length > 0) {
      webhook.fanout = immediate.map(({ destination: d, delivery }) => ({ delivery_id: delivery._id, endpoint_id: d.id, ...(d.kind === 'endpoint' ? {} : { destination_kind: d.kind }) }));
    }
    const stored = Promise.all([this.deps.webhooks.insert(webhook), this.deps.deliveries.insert(deferred)]);
    // Ordered ones are queued meanwhile, and written once the webhook is stored (another process may release and send them at once).
    const heads = await Promise.all([
      stored,
      ...ordered.map(async ({ destination, key }) => ({ destination, delivery: await this.deps.ordering.enqueue({ key, fields: { account, webhookId: webhook._id, destination, topic, maxAttempts, trigger } }, now, stored) })),
    ]).then(([, ...queued]) => queued);
    for (const { destination, delivery } of immediate) void work.track(runner.attemptClaimed(delivery, trigger, { webhook, destination, unsaved: true }));
    for (const { destination, delivery } of heads) if (delivery) void work.track(runner.attemptClaimed(delivery, trigger, { webhook, destination }));
    if (deferred.length > 0) this.deps.background.nudge();
    return { id: webhook._id.toHexString(), deliveries: destinations.length };
  }
}
