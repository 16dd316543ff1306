/**
 * The engine's background work: the due drain (due deliveries attempted in-process at full
 * speed), the Agenda jobs that keep delayed retries durable, the sweep (a timer in every
 * process), and their start/stop. Attempts themselves are the runner's.
 */
import { ObjectId, type Db } from 'mongodb';
import type { Agenda } from 'agenda';
import type { Config } from '../../options.js';
import type { AttemptTrigger } from '../deliveries/documents.js';
import type { DeliveryClaims } from '../deliveries/delivery-claims.js';
import type { WebhooksRepo } from '../deliveries/webhooks-repo.js';
import type { DestinationRegistry } from '../destinations/registry.js';
import type { AttemptRunner } from '../attempts/attempt-runner.js';
import { ATTEMPT_JOB, clearStaleLocks, createAgenda, defineJobs, lockLifetimeFor, type AgendaHandle, type AttemptJobData } from './jobs.js';
import { sweepOnce } from './sweep.js';
import type { FanoutCheck } from './fanout-check.js';
import type { WorkTracker } from './work-tracker.js';
import type { DeliveryObserver } from '../observer.js';
import { DueDrainer } from './due-drainer.js';

/** What the background work needs. */
export interface BackgroundDeps {
  config: Config;
  db: Db;
  deliveries: DeliveryClaims;
  webhooks: WebhooksRepo;
  destinations: DestinationRegistry;
  fanoutCheck: FanoutCheck;
  work: WorkTracker;
  leaseMs: number;
  /** Told of recovered deliveries: interrupted attempts the due drain takes up, fan-outs the sweep writes (metrics). */
  observer?: DeliveryObserver | undefined;
  /** Ordered delivery: its repair step runs with every sweep (queues a stop left waiting). */
  ordering?: { repair(now?: Date): Promise<number> } | undefined;
}

/** Jobs, sweep, start and stop. */
export class Background {
  readonly agendaHandle: AgendaHandle;
  private drainer: DueDrainer | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly deps: BackgroundDeps) {
    this.agendaHandle = createAgenda(deps.config, deps.db);
  }

  /** The Agenda instance the jobs run on. */
  get agenda(): Agenda {
    return this.agendaHandle.agenda;
  }

  /** Defines the attempt job and the due drain, both run by `runner` (set once, before `start`). */
  useRunner(runner: AttemptRunner): void {
    const { config, deliveries, work, leaseMs } = this.deps;
    const { concurrency, perEndpointConcurrency, pollIntervalMs } = config.delivery;
    this.drainer = new DueDrainer({
      deliveries,
      webhooks: this.deps.webhooks,
      attempt: (doc, interrupted, webhook) => {
        if (interrupted) this.deps.observer?.recovered(1);
        return runner.attemptClaimed(doc, interrupted ? 'recovery' : doc.next_trigger, webhook ? { webhook } : {});
      },
      work,
      leaseMs,
      maxInFlight: Math.max(1, Math.ceil(concurrency / 2)),
      perDestination: perEndpointConcurrency,
      pollMs: pollIntervalMs,
      logger: config.logger,
    });
    defineJobs(this.agendaHandle, config, {
      // Tracked like immediate attempts, so stop() waits for the jobs that are running.
      attempt: async (data) => {
        if (typeof data?.deliveryId === 'string' && ObjectId.isValid(data.deliveryId)) {
          const due = typeof data.due === 'number' ? new Date(data.due) : undefined;
          const rev = typeof data.rev === 'string' && /^[0-9a-f]{24}$/.test(data.rev) ? new ObjectId(data.rev) : undefined;
          await work.track(runner.attemptById(new ObjectId(data.deliveryId), data.trigger ?? 'retry', due, rev));
          this.nudge(); // a retry's time has come: others may be due with it
        }
      },
    });
  }

  /** Something was just made due (a deferred publish, a replay): the due drain looks now. */
  nudge(): void {
    this.drainer?.nudge();
  }

  /**
   * Starts Agenda (when owned) after clearing stale locks, and the recovery sweep: once now,
   * then on a timer. Every process sweeps; taking a delivery is an atomic conditional update,
   * so concurrent sweeps never double an attempt.
   */
  async start(): Promise<void> {
    // Agenda creates its jobs collection's index as it connects: let that finish before we write to the collection.
    await this.agenda.ready;
    await clearStaleLocks(this.deps.db, this.agendaHandle, lockLifetimeFor(this.deps.config.delivery.timeoutMs));
    if (this.agendaHandle.owned) await this.agenda.start();
    this.drainer?.start();
    this.sweepTimer = setInterval(() => void this.runSweep(), this.deps.config.delivery.sweepIntervalMs);
    this.sweepTimer.unref();
    void this.runSweep();
  }

  /** Stops the due drain, the sweep and Agenda (attempts running go on: the caller drains them). */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.drainer?.stop();
    await this.sweeping;
    if (this.agendaHandle.owned) {
      // No new jobs start; jobs locked but not started are unlocked for other processes; running
      // ones go on and are awaited by the caller. (agenda 6.2.6's drain() misses the end of a
      // removeOnComplete job and then waits out its whole timeout.)
      await this.agenda.stop().catch(() => undefined);
    }
  }

  /**
   * Keeps a delayed retry durable: an Agenda job at `at`, valid while the delivery's
   * `next_attempt_at` is still `at` (the due drain may take it first; then the job does nothing).
   */
  async scheduleRetry(id: ObjectId, at: Date, trigger: AttemptTrigger = 'retry', rev?: ObjectId): Promise<void> {
    const data: AttemptJobData = { deliveryId: id.toHexString(), trigger, due: at.getTime(), ...(rev ? { rev: rev.toHexString() } : {}) };
    await this.agenda.schedule(at, ATTEMPT_JOB, data);
  }

  /** One sweep run (fan-out check, auto-disable); what it wrote is due at once. */
  async sweep(): Promise<void> {
    const { config } = this.deps;
    const written = await sweepOnce({ fanoutCheck: this.deps.fanoutCheck, destinations: this.deps.destinations, autoDisableAfterMs: config.delivery.autoDisableAfterMs, logger: config.logger });
    if (written > 0) {
      this.deps.observer?.recovered(written);
      this.nudge();
    }
    await this.deps.ordering?.repair();
  }

  /** Runs the sweep unless one is still running; logs instead of throwing. */
  private runSweep(): Promise<void> {
    this.sweeping ??= this.sweep()
      .catch((error: unknown) => this.deps.config.logger.error({ err: error }, 'chameleon-hooks: sweep failed'))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }
}
