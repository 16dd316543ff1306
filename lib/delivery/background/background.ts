/**
 * The engine's background work: the Agenda jobs that make retries durable, the recovery sweep
 * (a timer in every process), and their start/stop. Attempts themselves are the runner's.
 */
import { ObjectId, type Db } from 'mongodb';
import type { Agenda } from 'agenda';
import type { Config } from '../../options.js';
import type { AttemptTrigger, DeliveryDoc } from '../deliveries/documents.js';
import type { DeliveriesRepo } from '../deliveries/deliveries-repo.js';
import type { DestinationRegistry } from '../destinations/registry.js';
import type { AttemptRunner } from '../attempts/attempt-runner.js';
import { ATTEMPT_JOB, clearStaleLocks, createAgenda, defineJobs, lockLifetimeFor, type AgendaHandle, type AttemptJobData } from './jobs.js';
import { sweepOnce, SWEEP_BATCH } from './sweep.js';
import type { FanoutCheck } from './fanout-check.js';
import type { WorkTracker } from './work-tracker.js';
import type { DeliveryObserver } from '../observer.js';

/** What the background work needs. */
export interface BackgroundDeps {
  config: Config;
  db: Db;
  deliveries: DeliveriesRepo;
  destinations: DestinationRegistry;
  fanoutCheck: FanoutCheck;
  work: WorkTracker;
  leaseMs: number;
  /** Told how many deliveries each sweep recovered (metrics). */
  observer?: DeliveryObserver | undefined;
}

/** Jobs, sweep, start and stop. */
export class Background {
  readonly agendaHandle: AgendaHandle;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly deps: BackgroundDeps) {
    this.agendaHandle = createAgenda(deps.config, deps.db);
  }

  /** The Agenda instance the jobs run on. */
  get agenda(): Agenda {
    return this.agendaHandle.agenda;
  }

  /** Defines the attempt job, run by `runner` (set once, before `start`). */
  useRunner(runner: AttemptRunner): void {
    defineJobs(this.agendaHandle, this.deps.config, {
      // Tracked like immediate attempts, so stop() waits for the jobs that are running.
      attempt: async (data) => {
        if (typeof data?.deliveryId === 'string' && ObjectId.isValid(data.deliveryId)) {
          const due = typeof data.due === 'number' ? new Date(data.due) : undefined;
          await this.deps.work.track(runner.attemptById(new ObjectId(data.deliveryId), data.trigger ?? 'retry', due));
        }
      },
    });
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
    this.sweepTimer = setInterval(() => void this.runSweep(), this.deps.config.delivery.sweepIntervalMs);
    this.sweepTimer.unref();
    void this.runSweep();
  }

  /** Stops the sweep and Agenda (jobs running go on: the caller drains them). */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.sweeping;
    if (this.agendaHandle.owned) {
      // No new jobs start; jobs locked but not started are unlocked for other processes; running
      // ones go on and are awaited by the caller. (agenda 6.2.6's drain() misses the end of a
      // removeOnComplete job and then waits out its whole timeout.)
      await this.agenda.stop().catch(() => undefined);
    }
  }

  /** Creates the job of an attempt at `at`, valid while the delivery's `next_attempt_at` is `due`. */
  async scheduleAttempt(id: ObjectId, at: Date, trigger: AttemptTrigger, due: Date = at): Promise<void> {
    const data: AttemptJobData = { deliveryId: id.toHexString(), trigger, due: due.getTime() };
    if (at.getTime() <= Date.now()) await this.agenda.now(ATTEMPT_JOB, data);
    else await this.agenda.schedule(at, ATTEMPT_JOB, data);
  }

  /** Creates a job now for each delivery (stops early when the engine stops). */
  async enqueueAll(docs: DeliveryDoc[], trigger: AttemptTrigger): Promise<void> {
    for (const doc of docs) {
      if (!this.deps.work.accepting) return;
      await this.scheduleAttempt(doc._id, new Date(), trigger, doc.next_attempt_at!);
    }
  }

  /** One sweep run, repeated at once while it finds full batches. */
  async sweep(): Promise<void> {
    const { config, work } = this.deps;
    const written = await this.deps.fanoutCheck.run();
    if (written > 0) config.logger.info({ count: written }, 'chameleon-hooks: wrote deliveries whose first attempt a stop interrupted');
    if (written > 0) this.deps.observer?.recovered(written);
    const deps = {
      deliveries: this.deps.deliveries,
      destinations: this.deps.destinations,
      // Shutting down: the rest stay held briefly, then any process's sweep takes them again.
      enqueue: async (id: ObjectId, due: Date) => (work.accepting ? this.scheduleAttempt(id, new Date(), 'recovery', due) : undefined),
      leaseMs: this.deps.leaseMs,
      autoDisableAfterMs: config.delivery.autoDisableAfterMs,
      logger: config.logger,
    };
    // Full batches mean more is overdue: go on at once, unless the package is shutting down.
    while (work.accepting) {
      const recovered = await sweepOnce(deps);
      if (recovered > 0) this.deps.observer?.recovered(recovered);
      if (recovered !== SWEEP_BATCH) break;
    }
  }

  /** Runs the sweep unless one is still running; logs instead of throwing. */
  private runSweep(): Promise<void> {
    this.sweeping ??= this.sweep()
      .catch((error: unknown) => this.deps.config.logger.error({ err: error }, 'chameleon-hooks: sweep failed'))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }
}
