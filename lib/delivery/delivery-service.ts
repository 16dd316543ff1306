/**
 * The "data out" service: publish (validate, store the webhook once, fan out one delivery per
 * subscribed endpoint, attempt each right away in-process), ping, replay, manual retry, and
 * the lifecycle of the Agenda jobs that make every retry durable.
 */
import { ObjectId, type Collection, type Db } from 'mongodb';
import type { Agenda } from 'agenda';
import { ChameleonError } from '../errors.js';
import type { Config } from '../options.js';
import type { Account, AccountStore } from '../accounts/account-store.js';
import type { Collections } from '../store/collections.js';
import { validateTopicData, type Topic, type TopicPayloads } from '../topics/index.js';
import { createHttpSender, type HttpSender } from './http-sender.js';
import { KeyedLimiter } from './limiter.js';
import { EndpointsRepo } from './endpoints-repo.js';
import { EndpointStats } from './endpoint-stats.js';
import { DeliveriesRepo, newDelivery } from './deliveries-repo.js';
import { AttemptRunner, type AttemptReport } from './attempt-runner.js';
import { matchesExperienceFilter } from './experience-filter.js';
import { ATTEMPT_JOB, clearStaleLocks, createAgenda, defineJobs, lockLifetimeFor, type AgendaHandle, type AttemptJobData } from './jobs.js';
import { sweepOnce, OVERDUE_GRACE_MS, SWEEP_BATCH } from './sweep.js';
import { FanoutCheck, type StateDoc } from './fanout-check.js';
import type { AttemptTrigger, DeliveryDoc, EndpointDoc, WebhookDoc } from './documents.js';

/**
 * How long a claimed attempt is protected from other claims: the request timeout plus a
 * margin for the writes around it (up to 5 s). An attempt interrupted by a crash is taken up
 * again by the recovery sweep once its lease has run out.
 */
export function leaseFor(timeoutMs: number): number {
  return timeoutMs + Math.min(5_000, timeoutMs);
}

/** Immediate attempts allowed to wait per endpoint before new ones go to Agenda instead. */
const MAX_WAITING_PER_ENDPOINT = 1000;
/** Webhooks one replay may resend. */
export const MAX_REPLAY = 10_000;

/** What `publish` returns. */
export interface PublishResult {
  /** The webhook id (also `X-Chameleon-Id` and the body's `id`). */
  id: string;
  /** How many endpoints it was fanned out to. */
  deliveries: number;
}

/** Publishing, delivery control and the background machinery. */
export class DeliveryService {
  readonly endpoints: EndpointsRepo;
  readonly deliveries: DeliveriesRepo;
  readonly webhooks: Collection<WebhookDoc>;
  readonly agendaHandle: AgendaHandle;
  private readonly stats: EndpointStats;
  private readonly sender: HttpSender;
  private readonly runner: AttemptRunner;
  private readonly limiter: KeyedLimiter;
  private readonly fanoutCheck: FanoutCheck;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly leaseMs: number;
  private accepting = true;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly config: Config,
    private readonly db: Db,
    collections: Collections,
    private readonly accounts: AccountStore,
  ) {
    const { delivery, limits, logger, flushIntervalMs } = config;
    this.leaseMs = leaseFor(delivery.timeoutMs);
    this.endpoints = new EndpointsRepo(collections.get<EndpointDoc>('endpoints'), {
      allowHttp: delivery.allowHttp,
      allowPrivateNetworks: delivery.allowPrivateNetworks,
      endpointsPerAccount: limits.endpointsPerAccount,
    });
    this.deliveries = new DeliveriesRepo(collections.get<DeliveryDoc>('deliveries'));
    this.webhooks = collections.get<WebhookDoc>('webhooks');
    this.stats = new EndpointStats(collections.get<EndpointDoc>('endpoints'), { flushIntervalMs, logger });
    this.sender = createHttpSender({
      timeoutMs: delivery.timeoutMs,
      userAgent: delivery.userAgent,
      ca: delivery.ca,
      allowPrivateNetworks: delivery.allowPrivateNetworks,
      allowHttp: delivery.allowHttp,
      responseBodyBytes: delivery.responseBodyBytes,
    });
    this.agendaHandle = createAgenda(config, db);
    this.fanoutCheck = new FanoutCheck(this.webhooks, this.deliveries, collections.get<StateDoc>('state'), {
      settleMs: this.leaseMs + OVERDUE_GRACE_MS,
      retentionMs: delivery.retentionMs,
      maxAttempts: delivery.retrySchedule.length + 1,
    });
    this.limiter = new KeyedLimiter(delivery.concurrency, delivery.perEndpointConcurrency);
    this.runner = new AttemptRunner({
      deliveries: this.deliveries,
      webhooks: this.webhooks,
      endpoints: this.endpoints,
      accounts,
      sender: this.sender,
      limiter: this.limiter,
      stats: this.stats,
      schedule: (id, at) => this.scheduleAttempt(id, at, 'retry'),
      retrySchedule: delivery.retrySchedule,
      jitter: delivery.jitter,
      leaseMs: this.leaseMs,
      logger,
    });
    defineJobs(this.agendaHandle, config, {
      // Tracked like immediate attempts, so stop() waits for the jobs that are running.
      attempt: async (data) => {
        if (typeof data?.deliveryId === 'string' && ObjectId.isValid(data.deliveryId)) {
          const due = typeof data.due === 'number' ? new Date(data.due) : undefined;
          await this.track(this.runner.attemptById(new ObjectId(data.deliveryId), data.trigger ?? 'retry', due));
        }
      },
    });
  }

  /** The Agenda instance the jobs run on. */
  get agenda(): Agenda {
    return this.agendaHandle.agenda;
  }

  /**
   * Starts the stats flush and Agenda (when owned), clears stale locks, and starts the recovery
   * sweep: once now, then on a timer. Every process sweeps; taking a delivery is an atomic
   * conditional update, so concurrent sweeps never double an attempt.
   */
  async start(): Promise<void> {
    this.stats.start();
    // Agenda creates its jobs collection's index as it connects: let that finish before we write to the collection.
    await this.agenda.ready;
    await clearStaleLocks(this.db, this.agendaHandle, lockLifetimeFor(this.config.delivery.timeoutMs));
    if (this.agendaHandle.owned) await this.agenda.start();
    this.sweepTimer = setInterval(() => void this.runSweep(), this.config.delivery.sweepIntervalMs);
    this.sweepTimer.unref();
    void this.runSweep();
  }

  /** Stops taking work, waits for in-flight attempts and running jobs, then stops Agenda. */
  async stop(): Promise<void> {
    this.accepting = false;
    this.runner.stop();
    clearInterval(this.sweepTimer);
    await this.sweeping;
    if (this.agendaHandle.owned) {
      // No new jobs start; jobs locked but not started are unlocked for other processes; running
      // ones go on and are awaited below. (agenda 6.2.6's drain() misses the end of a
      // removeOnComplete job and then waits out its whole timeout.)
      await this.agenda.stop().catch(() => undefined);
    }
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.stats.stop();
    await this.sender.close();
  }

  /** Validates, stores and fans out one webhook; the first attempts start right away. */
  async publish<T extends Topic>(account: Account, topic: T | string, data: TopicPayloads[T] | Record<string, unknown>): Promise<PublishResult> {
    this.assertAccepting();
    validateTopicData(topic, data);
    const payload = data as unknown as Record<string, unknown>;
    const endpoints = (await this.endpoints.enabledFor(account.id)).filter(
      (e) => e.topics.includes(topic) && matchesExperienceFilter(e.experience_ids, payload),
    );
    return this.fanOut(account.id, topic, payload, endpoints, 'publish', this.maxAttempts());
  }

  /** Sends a `ping` to one endpoint (even a disabled one) and waits for the attempt. */
  async ping(account: Account, endpointId: string): Promise<{ webhook_id: string; report: AttemptReport | undefined }> {
    this.assertAccepting();
    const endpoint = await this.endpoints.get(account.id, endpointId);
    const data = { account: { id: account.id, name: account.name } };
    const { webhook, deliveries } = await this.store(account.id, 'ping', data, [endpoint], 'ping', 1);
    const report = await this.track(this.runner.attemptClaimed(deliveries[0]!, 'ping', { webhook, endpoint }));
    return { webhook_id: webhook._id.toHexString(), report };
  }

  /** Resends every webhook since `since` that the endpoint subscribes to, as new deliveries. */
  async replay(account: Account, endpointId: string, since: Date): Promise<{ deliveries: number }> {
    this.assertAccepting();
    const endpoint = await this.endpoints.get(account.id, endpointId);
    const webhooks = await this.webhooks
      .find({ account: account.id, created_at: { $gte: since }, topic: { $in: endpoint.topics } })
      .sort({ created_at: 1 })
      .limit(MAX_REPLAY)
      .toArray();
    const now = new Date();
    const docs = webhooks
      .filter((w) => matchesExperienceFilter(endpoint.experience_ids, w.data))
      .map((w) => newDelivery({ account: account.id, webhookId: w._id, endpointId: endpoint._id, topic: w.topic, maxAttempts: this.maxAttempts(), trigger: 'replay' }, now, this.leaseMs, false));
    await this.deliveries.insert(docs);
    // Jobs are created in the background; if this process stops first, the sweep finds the rest.
    void this.track(this.enqueueAll(docs, 'replay'));
    return { deliveries: docs.length };
  }

  /** Attempts one delivery again now, even if it had succeeded or given up, and waits for it. */
  async retry(account: Account, deliveryId: string): Promise<DeliveryDoc> {
    this.assertAccepting();
    const id = /^[0-9a-fA-F]{24}$/.test(deliveryId) ? new ObjectId(deliveryId) : undefined;
    const existing = id ? await this.deliveries.collection.findOne({ _id: id, account: account.id }) : null;
    if (!id || !existing) throw new ChameleonError('CH_ERR_NOT_FOUND', `No delivery with id ${deliveryId}`);
    const reopened = await this.deliveries.reopen(id, account.id, new Date());
    if (!reopened) throw new ChameleonError('CH_ERR_CONFLICT', 'An attempt of this delivery is in flight; try again when it has finished');
    await this.track(this.runner.attemptById(id, 'manual'));
    return (await this.deliveries.collection.findOne({ _id: id }))!;
  }

  /** Deletes an endpoint and cancels its pending deliveries. */
  async deleteEndpoint(account: Account, endpointId: string): Promise<EndpointDoc> {
    const doc = await this.endpoints.delete(account.id, endpointId);
    await this.deliveries.cancelForEndpoint(doc._id, 'The endpoint was deleted', new Date());
    return doc;
  }

  /** Writes pending endpoint state now (tests, dashboards). */
  flushStats(): Promise<void> {
    return this.stats.flush();
  }

  /** One sweep run, repeated at once while it finds full batches. */
  async sweep(): Promise<void> {
    const written = await this.fanoutCheck.run();
    if (written > 0) this.config.logger.info({ count: written }, 'chameleon-hooks: wrote deliveries whose first attempt a stop interrupted');
    const deps = {
      deliveries: this.deliveries,
      endpoints: this.endpoints,
      // Shutting down: the rest stay held briefly, then any process's sweep takes them again.
      enqueue: async (id: ObjectId, due: Date) => (this.accepting ? this.scheduleAttempt(id, new Date(), 'recovery', due) : undefined),
      leaseMs: this.leaseMs,
      autoDisableAfterMs: this.config.delivery.autoDisableAfterMs,
      logger: this.config.logger,
    };
    // Full batches mean more is overdue: go on at once, unless the package is shutting down.
    while (this.accepting && (await sweepOnce(deps)) === SWEEP_BATCH);
  }

  /** Runs the sweep unless one is still running; logs instead of throwing. */
  private runSweep(): Promise<void> {
    this.sweeping ??= this.sweep()
      .catch((error: unknown) => this.config.logger.error({ err: error }, 'chameleon-hooks: sweep failed'))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private maxAttempts(): number {
    return this.config.delivery.retrySchedule.length + 1;
  }

  private assertAccepting(): void {
    if (!this.accepting) throw new ChameleonError('CH_ERR_NOT_READY', 'chameleon-hooks is shutting down');
  }

  /**
   * Publish's write path: ONE insert, the webhook with its `fanout` (the deliveries whose first
   * attempt starts now). Each of those is written once, with its first outcome (the attempt
   * runs unsaved); a crash in between is repaired by the sweep from `fanout`. Endpoints with too
   * many attempts waiting in this process get a pending delivery and an Agenda job instead.
   */
  private async fanOut(account: string, topic: string, data: Record<string, unknown>, endpoints: EndpointDoc[], trigger: AttemptTrigger, maxAttempts: number): Promise<PublishResult> {
    // Backpressure: while an endpoint's queue here is as long as its slots, wait (bounded) for room.
    const { perEndpointConcurrency, publishWaitMs } = this.config.delivery;
    for (const e of endpoints) await this.limiter.room(e._id.toHexString(), perEndpointConcurrency, publishWaitMs);
    const now = new Date();
    const webhook: WebhookDoc = { _id: new ObjectId(), account, topic, data, created_at: now };
    const make = (e: EndpointDoc, startsNow: boolean) =>
      newDelivery({ account, webhookId: webhook._id, endpointId: e._id, topic, maxAttempts, trigger }, now, this.leaseMs, startsNow);
    const immediate = endpoints.filter((e) => this.limiter.waiting(e._id.toHexString()) < MAX_WAITING_PER_ENDPOINT).map((e) => ({ endpoint: e, delivery: make(e, true) }));
    const deferred = endpoints.filter((e) => !immediate.some((i) => i.endpoint === e)).map((e) => make(e, false));
    if (immediate.length > 0) webhook.fanout = immediate.map((i) => ({ delivery_id: i.delivery._id, endpoint_id: i.endpoint._id }));
    await Promise.all([this.webhooks.insertOne(webhook), this.deliveries.insert(deferred)]);
    for (const { endpoint, delivery } of immediate) void this.track(this.runner.attemptClaimed(delivery, trigger, { webhook, endpoint, unsaved: true }));
    for (const delivery of deferred) void this.track(this.scheduleAttempt(delivery._id, new Date(), trigger, delivery.next_attempt_at!));
    return { id: webhook._id.toHexString(), deliveries: endpoints.length };
  }

  /** Stores a webhook and its deliveries, already claimed for a first attempt (ping). */
  private async store(account: string, topic: string, data: Record<string, unknown>, endpoints: EndpointDoc[], trigger: AttemptTrigger, maxAttempts: number): Promise<{ webhook: WebhookDoc; deliveries: DeliveryDoc[] }> {
    const now = new Date();
    const webhook: WebhookDoc = { _id: new ObjectId(), account, topic, data, created_at: now };
    const deliveries = endpoints.map((e) => newDelivery({ account, webhookId: webhook._id, endpointId: e._id, topic, maxAttempts, trigger }, now, this.leaseMs, true));
    await Promise.all([this.webhooks.insertOne(webhook), this.deliveries.insert(deliveries)]);
    return { webhook, deliveries };
  }

  /** Creates the job of an attempt at `at`, valid while the delivery's `next_attempt_at` is `due`. */
  private async scheduleAttempt(id: ObjectId, at: Date, trigger: AttemptTrigger, due: Date = at): Promise<void> {
    const data: AttemptJobData = { deliveryId: id.toHexString(), trigger, due: due.getTime() };
    if (at.getTime() <= Date.now()) await this.agenda.now(ATTEMPT_JOB, data);
    else await this.agenda.schedule(at, ATTEMPT_JOB, data);
  }

  private async enqueueAll(docs: DeliveryDoc[], trigger: AttemptTrigger): Promise<void> {
    for (const doc of docs) {
      if (!this.accepting) return;
      await this.scheduleAttempt(doc._id, new Date(), trigger, doc.next_attempt_at!);
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    const guarded = promise.catch((error: unknown) => {
      this.config.logger.error({ err: error }, 'chameleon-hooks: delivery work failed');
      return undefined as T;
    });
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
    return guarded;
  }
}
