/**
 * The delivery engine's services, wired together: destinations and transports, the publisher,
 * the attempt runner and the background work. This is what the package's routes and methods
 * call (see `index.ts` for the shape and how to plug in a new kind of destination).
 */
import { DeliveryStats, type OutcomeCountDoc } from './deliveries/delivery-stats.js';
import { ObjectId, type Db } from 'mongodb';
import type { Agenda } from 'agenda';
import { ChameleonError } from '../errors.js';
import type { Config } from '../options.js';
import type { Account, AccountStore } from '../accounts/account-store.js';
import type { Collections } from '../store/collections.js';
import type { PublishKind, PublishPayloads } from '../topics/index.js';
import type { DeliveryDoc, WebhookDoc } from './deliveries/documents.js';
import { DeliveryClaims } from './deliveries/delivery-claims.js';
import { DeliveryReads, type DeliveryPage, type DeliveryQuery } from './deliveries/delivery-reads.js';
import { DeliveryViews } from './deliveries/delivery-views.js';
import { WebhooksRepo } from './deliveries/webhooks-repo.js';
import type { DestinationHealth, DestinationHourDoc } from './deliveries/health.js';
import type { Destination, DestinationKind, DestinationSource } from './destinations/destination.js';
import { DestinationRegistry } from './destinations/registry.js';
import type { EndpointDoc } from './endpoints/documents.js';
import { EndpointsRepo } from './endpoints/endpoints-repo.js';
import { EndpointStats } from './endpoints/endpoint-stats.js';
import { EndpointSource, endpointDestination } from './endpoints/endpoint-source.js';
import { createHttpSender } from './transport/http-sender.js';
import { createWebhookTransport, WEBHOOK_TRANSPORT } from './transport/webhook-transport.js';
import type { Transport } from './destinations/transport.js';
import { AttemptRunner, type AttemptReport } from './attempts/attempt-runner.js';
import { KeyedLimiter } from './attempts/limiter.js';
import { Background } from './background/background.js';
import { FanoutCheck, FANOUT_SETTLE_MARGIN_MS } from './background/fanout-check.js';
import { StateRepo, type StateDoc } from './background/state-repo.js';
import { WorkTracker } from './background/work-tracker.js';
import type { AgendaHandle } from './background/jobs.js';
import { Publisher, type PublishResult } from './publisher.js';
import type { DeliveryObserver } from './observer.js';
import { OrderGate } from './ordering/order-gate.js';
import { OrderQueuesRepo, type OrderQueueDoc } from './ordering/order-queues-repo.js';

/**
 * How long a claimed attempt is protected from other claims: the request timeout plus a
 * margin for the writes around it (up to 5 s). An attempt interrupted by a crash is taken up
 * again by the recovery sweep once its lease has run out.
 */
export function leaseFor(timeoutMs: number): number {
  return timeoutMs + Math.min(5_000, timeoutMs);
}

/**
 * The `ping` payload: the account as the seed shows it (`{id, domain, name}`, `domain` when the
 * account has one), valid against the `ping` topic schema for stored and static accounts alike.
 */
export function pingData(account: Pick<Account, 'id' | 'name' | 'domain'>): { account: { id: string; domain?: string; name: string } } {
  return { account: { id: account.id, ...(account.domain !== undefined ? { domain: account.domain } : {}), name: account.name } };
}

/** Publishing, delivery control and the background machinery, for every kind of destination. */
export class DeliveryEngine {
  /** Endpoints (destinations of kind `endpoint`). */
  readonly endpoints: EndpointsRepo;
  /** Deliveries of every kind, with their attempt logs (reads; the engine's parts write through `claims`). */
  readonly deliveries: DeliveryReads;
  /** Creation of deliveries and the compare-and-set claims of their attempts. */
  private readonly claims: DeliveryClaims;
  /** Published webhooks (the activity deliveries carry). */
  readonly webhooks: WebhooksRepo;
  /** Hourly statistics: attempt outcomes per account (the dashboard's charts) and per destination (health). */
  readonly stats: DeliveryStats;
  /** Destination kinds and transports: plug a new kind in here, before `start()`. */
  readonly destinations = new DestinationRegistry();
  private readonly work: WorkTracker;
  private readonly limiter: KeyedLimiter;
  private readonly runner: AttemptRunner;
  private readonly background: Background;
  private readonly publisher: Publisher;
  private readonly ordering: OrderGate;
  private readonly views: DeliveryViews;
  private readonly orderQueues: OrderQueuesRepo;
  private started = false;
  private readonly leaseMs: number;

  constructor(
    private readonly config: Config,
    db: Db,
    collections: Collections,
    accounts: AccountStore,
    observer?: DeliveryObserver,
  ) {
    const { delivery, limits, logger, flushIntervalMs } = config;
    const leaseMs = leaseFor(delivery.timeoutMs);
    this.leaseMs = leaseMs;
    this.work = new WorkTracker(logger);
    this.endpoints = new EndpointsRepo(collections.get<EndpointDoc>('endpoints'), {
      allowHttp: delivery.allowHttp,
      allowPrivateNetworks: delivery.allowPrivateNetworks,
      endpointsPerAccount: limits.endpointsPerAccount,
    });
    this.deliveries = new DeliveryReads(collections.get<DeliveryDoc>('deliveries'));
    this.claims = new DeliveryClaims(collections.get<DeliveryDoc>('deliveries'));
    this.webhooks = new WebhooksRepo(collections.get<WebhookDoc>('webhooks'));
    const stats = new EndpointStats(collections.get<EndpointDoc>('endpoints'), { flushIntervalMs, logger });
    this.stats = new DeliveryStats(collections.get<OutcomeCountDoc>('delivery_counts'), collections.get<DestinationHourDoc>('destination_stats'), { flushIntervalMs, logger });
    this.destinations.addSource(new EndpointSource(this.endpoints, stats));
    this.destinations.addTransport(WEBHOOK_TRANSPORT, createWebhookTransport(createHttpSender({
      timeoutMs: delivery.timeoutMs,
      userAgent: delivery.userAgent,
      ca: delivery.ca,
      allowPrivateNetworks: delivery.allowPrivateNetworks,
      allowHttp: delivery.allowHttp,
      responseBodyBytes: delivery.responseBodyBytes,
    })) as Transport);
    const fanoutCheck = new FanoutCheck(this.webhooks, this.claims, new StateRepo(collections.get<StateDoc>('state')), {
      settleMs: leaseMs + FANOUT_SETTLE_MARGIN_MS,
      retentionMs: delivery.retentionMs,
      maxAttempts: delivery.retrySchedule.length + 1,
    });
    this.orderQueues = new OrderQueuesRepo(collections.get<OrderQueueDoc>('delivery_order'));
    this.ordering = new OrderGate({ deliveries: this.claims, reads: this.deliveries, queues: this.orderQueues, leaseMs, settleMs: leaseMs + FANOUT_SETTLE_MARGIN_MS, logger });
    this.background = new Background({ config, db, deliveries: this.claims, webhooks: this.webhooks, destinations: this.destinations, fanoutCheck, work: this.work, leaseMs, observer, ordering: this.ordering });
    this.limiter = new KeyedLimiter(delivery.concurrency, delivery.perEndpointConcurrency);
    this.runner = new AttemptRunner({
      deliveries: this.claims,
      webhooks: this.webhooks,
      destinations: this.destinations,
      accounts,
      limiter: this.limiter,
      schedule: (id, at, rev) => this.background.scheduleRetry(id, at, 'retry', rev),
      policy: { retrySchedule: delivery.retrySchedule, jitter: delivery.jitter },
      leaseMs,
      logger,
      observer,
      stats: this.stats,
      orderedEnded: (doc) => void this.work.track(this.ordering.ended(doc)),
    });
    this.background.useRunner(this.runner);
    const runner = this.runner;
    this.ordering.use((doc) => runner.attemptClaimed(doc, doc.next_trigger), () => this.background.nudge());
    this.publisher = new Publisher({
      config,
      deliveries: this.claims,
      webhooks: this.webhooks,
      destinations: this.destinations,
      runner: this.runner,
      limiter: this.limiter,
      background: this.background,
      work: this.work,
      leaseMs,
      ordering: this.ordering,
    });
    this.views = new DeliveryViews({ deliveries: this.deliveries, webhooks: this.webhooks, stats: this.stats, leaseMs, maxAttempts: this.publisher.maxAttempts });
  }

  /**
   * Plugs in a kind of destination: its source and the transports its destinations name.
   * Usually before `start()`; added later, the source's bookkeeping starts at once.
   *
   * @example
   * engine.addDestinationKind(new IntegrationSource(repo), { customerio: createTrackTransport(options) });
   */
  addDestinationKind(source: DestinationSource, transports: Record<string, Transport>): void {
    this.destinations.addSource(source);
    for (const [name, transport] of Object.entries(transports)) this.destinations.addTransport(name, transport);
    if (this.started) source.start?.();
  }

  /** The Agenda instance the jobs run on. */
  get agenda(): Agenda {
    return this.background.agenda;
  }

  /** The Agenda instance and whether the package owns it. */
  get agendaHandle(): AgendaHandle {
    return this.background.agendaHandle;
  }

  /** Starts the destinations' bookkeeping, Agenda (when owned) and the recovery sweep. */
  async start(): Promise<void> {
    for (const source of this.destinations.allSources()) source.start?.();
    this.stats.start();
    this.started = true;
    await this.background.start();
  }

  /** Stops taking work, waits for in-flight attempts and running jobs, then closes the transports. */
  async stop(): Promise<void> {
    this.work.close();
    this.runner.stop();
    await this.background.stop();
    await this.work.drain();
    for (const source of this.destinations.allSources()) await source.stop?.();
    await this.stats.stop();
    for (const transport of this.destinations.allTransports()) await transport.close();
  }

  /** Validates, stores and fans out one activity; the first attempts start right away. */
  publish<T extends PublishKind>(account: Account, topic: T | string, data: PublishPayloads[T] | Record<string, unknown>): Promise<PublishResult> {
    return this.publisher.publish(account, topic, data);
  }

  /** Sends a `ping` to one endpoint (even a disabled one) and waits for the attempt. */
  async ping(account: Account, endpointId: string): Promise<{ webhook_id: string; report: AttemptReport | undefined }> {
    this.work.assertAccepting();
    const destination = endpointDestination(await this.endpoints.get(account.id, endpointId));
    const data = pingData(account);
    const { webhook, delivery } = await this.publisher.forPing(account.id, 'ping', data, destination);
    const report = await this.work.track(this.runner.attemptClaimed(delivery, 'ping', { webhook, destination }));
    return { webhook_id: webhook._id.toHexString(), report };
  }

  /** Resends every webhook since `since` that the endpoint subscribes to, as new deliveries. */
  async replay(account: Account, endpointId: string, since: Date): Promise<{ deliveries: number }> {
    this.work.assertAccepting();
    const destination = endpointDestination(await this.endpoints.get(account.id, endpointId));
    return this.replayTo(account, destination, since);
  }

  /** Resends every webhook since `since` that `destination` (any kind, the account's) takes. */
  async replayTo(account: Account, destination: Destination, since: Date): Promise<{ deliveries: number }> {
    this.work.assertAccepting();
    if (destination.account !== account.id) throw new ChameleonError('CH_ERR_NOT_FOUND', 'No such destination');
    if (destination.disabled) {
      const what = destination.kind === 'endpoint' ? 'endpoint' : 'integration';
      const how = destination.kind === 'endpoint' ? ': a successful ping enables it again' : '';
      throw new ChameleonError('CH_ERR_CONFLICT', `The ${what} is disabled (${destination.disabledReason ?? 'by request'}), so nothing can be replayed to it${how}`);
    }
    return { deliveries: await this.publisher.forReplay(account.id, destination, since) };
  }

  /** Attempts one delivery (any kind) again now, even if it had succeeded or given up, and waits for it. */
  async retry(account: Account, deliveryId: string): Promise<DeliveryDoc> {
    this.work.assertAccepting();
    const id = /^[0-9a-fA-F]{24}$/.test(deliveryId) ? new ObjectId(deliveryId) : undefined;
    const existing = id ? await this.deliveries.findForAccount(id, account.id) : null;
    if (!id || !existing) throw new ChameleonError('CH_ERR_NOT_FOUND', `No delivery with id ${deliveryId}`);
    if (existing.state === 'pending' && existing.held === true) {
      throw new ChameleonError('CH_ERR_CONFLICT', 'This delivery is held until the earlier deliveries of its profile to this endpoint have ended (the endpoint delivers each profile in order); it is sent in its turn');
    }
    // Reopened as due a lease from now, and claimed at once by that exact due time: the in-process
    // due drain (which takes what is due now) cannot take the manual attempt from under this call,
    // and if this process stops in between, the delivery falls due and any process attempts it.
    const now = new Date();
    const due = new Date(now.getTime() + this.leaseMs);
    const reopened = await this.claims.reopen(id, account.id, now, due);
    if (!reopened) throw new ChameleonError('CH_ERR_CONFLICT', 'An attempt of this delivery is in flight; try again when it has finished');
    await this.work.track(this.runner.attemptById(id, 'manual', due));
    return (await this.deliveries.byId(id))!;
  }

  /**
   * A page of a destination's deliveries, newest first; the first page (no cursor) also lists the
   * first attempts publish has in flight, as `sending` (see `DeliveryViews`).
   */
  listDeliveries(destination: { kind: DestinationKind; id: ObjectId; account: string }, page: DeliveryPage): Promise<DeliveryDoc[]> {
    return this.views.listDeliveries(destination, page);
  }

  /**
   * A page of an account's deliveries of every destination, newest first, narrowed by the
   * query's filters (the dashboard), read by creation-time windows sized from the hourly counts.
   */
  deliveryPage(account: string, q: DeliveryQuery): Promise<DeliveryDoc[]> {
    return this.views.deliveryPage(account, q);
  }

  /** One delivery of the account (a first attempt in flight as `sending`), or a `404`. */
  delivery(account: Account, deliveryId: string): Promise<DeliveryDoc> {
    return this.views.delivery(account.id, deliveryId);
  }

  /** Deletes an endpoint and cancels its pending deliveries. */
  async deleteEndpoint(account: Account, endpointId: string): Promise<EndpointDoc> {
    const doc = await this.endpoints.delete(account.id, endpointId);
    await this.cancelFor(doc._id, 'The endpoint was deleted');
    return doc;
  }

  /** Cancels every pending delivery of a destination (of any kind, e.g. an integration removed), and drops its ordering queues. */
  async cancelFor(destinationId: ObjectId, reason: string): Promise<number> {
    const cancelled = await this.claims.cancelForDestination(destinationId, reason, new Date());
    await this.orderQueues.deleteForEndpoint(destinationId);
    return cancelled;
  }

  /** A destination's health from its recent attempts. */
  async health(destinationId: ObjectId, now = new Date()): Promise<DestinationHealth> {
    return (await this.stats.healthOf([destinationId], now)).get(destinationId.toHexString())!;
  }

  /** The health of many destinations (a page of endpoints) in one query, by hex id. */
  healths(destinationIds: readonly ObjectId[], now = new Date()): Promise<Map<string, DestinationHealth>> {
    return this.stats.healthOf(destinationIds, now);
  }

  /** Writes pending destination state and statistics now (tests, dashboards). */
  async flushStats(): Promise<void> {
    for (const source of this.destinations.allSources()) await source.flush?.();
    await this.stats.flush();
  }

  /** One sweep run now (fan-out check, auto-disable; tests, CLI). */
  sweep(): Promise<void> {
    return this.background.sweep();
  }

  /** The kinds of destination registered. */
  kinds(): DestinationKind[] {
    return this.destinations.allSources().map((s) => s.kind);
  }
}

/** The former name of {@link DeliveryEngine}. */
export { DeliveryEngine as DeliveryService };
