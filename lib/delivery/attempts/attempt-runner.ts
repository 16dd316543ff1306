/**
 * Runs one attempt of a claimed delivery, for a destination of any kind: load what it needs
 * (destination, webhook, account), wait for a slot (per destination, then global), send through
 * the destination's transport, turn the outcome into the next step (`next-step.ts`), record it,
 * apply its effects on the destination, and schedule the next attempt when there is one.
 */
import type { DeliveryStats } from '../deliveries/delivery-stats.js';
import { hostname } from 'node:os';
import type { ObjectId } from 'mongodb';
import type { Logger } from '../../logger.js';
import type { AccountStore } from '../../accounts/account-store.js';
import type { AttemptLog, AttemptTrigger, DeliveryDoc, WebhookDoc } from '../deliveries/documents.js';
import type { DeliveryClaims } from '../deliveries/delivery-claims.js';
import type { WebhooksRepo } from '../deliveries/webhooks-repo.js';
import type { Destination } from '../destinations/destination.js';
import type { DestinationRegistry } from '../destinations/registry.js';
import type { AttemptOutcome } from '../destinations/transport.js';
import type { KeyedLimiter } from './limiter.js';
import { nextStep, type NextStep, type RetryPolicy } from './next-step.js';
import type { DeliveryObserver } from '../observer.js';

/** This process, as attempt logs name it. */
export const PROCESS_NAME = `${hostname()}-${process.pid}`;

/** Schedules a durable attempt of a delivery at a time (an Agenda job), valid while the delivery keeps `rev`. */
export type ScheduleAttempt = (deliveryId: ObjectId, at: Date, rev?: ObjectId) => Promise<void>;

/** What the runner needs. */
export interface AttemptRunnerDeps {
  deliveries: DeliveryClaims;
  webhooks: WebhooksRepo;
  destinations: DestinationRegistry;
  accounts: AccountStore;
  limiter: KeyedLimiter;
  schedule: ScheduleAttempt;
  policy: RetryPolicy;
  /** How long a claimed attempt is protected from other claims. */
  leaseMs: number;
  logger: Logger;
  /** Told of every recorded attempt (metrics). */
  observer?: DeliveryObserver | undefined;
  /** Counts each attempt's outcome per account and hour (the dashboard's charts). */
  stats?: Pick<DeliveryStats, 'record'>;
  /** Told when an ORDERED delivery (with an `order_key`) has ended, so the next of its key is released. */
  orderedEnded?: ((doc: DeliveryDoc) => void) | undefined;
}

/** Records already loaded by the caller (publish has them in memory). */
export interface KnownRecords {
  webhook?: WebhookDoc;
  destination?: Destination;
  /**
   * The delivery's document is not written yet (a first attempt from publish, recorded in the
   * webhook's `fanout`): it is written once, with the attempt's outcome.
   */
  unsaved?: boolean;
}

/** What an attempt did, for callers that wait for it (ping, manual retry). */
export interface AttemptReport {
  log: AttemptLog;
  state: NextStep['state'];
}

function toLog(outcome: AttemptOutcome, at: Date, trigger: AttemptTrigger): AttemptLog {
  const log: AttemptLog = {
    at,
    duration_ms: Math.round(outcome.durationMs),
    status: outcome.status ?? null,
    response_body: outcome.responseBody ?? null,
    error: outcome.verdict === 'success' ? null : (outcome.error ?? (outcome.status !== undefined ? `HTTP ${outcome.status}` : 'Failed')),
    error_kind: outcome.errorKind ?? null,
    trigger,
    by: PROCESS_NAME,
  };
  if (outcome.request) log.request = outcome.request;
  return log;
}

/** Attempts deliveries. */
export class AttemptRunner {
  private stopping = false;

  constructor(private readonly deps: AttemptRunnerDeps) {}

  /** From now on, claimed attempts still waiting for a slot are released instead of sent. */
  stop(): void {
    this.stopping = true;
  }

  /**
   * Claims a delivery by id and attempts it; `undefined` when there was nothing to do. With
   * `due` (a job's), only if the delivery is still due at that time; with `rev` too, by it.
   */
  async attemptById(id: ObjectId, trigger: AttemptTrigger, due?: Date, rev?: ObjectId): Promise<AttemptReport | undefined> {
    // Stopping: claim nothing. A retry job Agenda starts while the engine stops (after the work was
    // drained, the database about to close) would count an attempt and lease the delivery without
    // sending or giving it back; left alone, the delivery is due, and any process's due drain takes it.
    if (this.stopping) return undefined;
    const claimed = await this.deps.deliveries.claim(id, new Date(), this.deps.leaseMs, trigger, due, rev);
    return claimed ? this.attemptClaimed(claimed, trigger) : undefined;
  }

  /** Attempts a delivery this process has claimed (its attempt is already counted). */
  async attemptClaimed(doc: DeliveryDoc, trigger: AttemptTrigger, known: KnownRecords = {}): Promise<AttemptReport | undefined> {
    const { deps } = this;
    const claimedAt = Date.now();
    let saved = !known.unsaved;
    const abandon = async (state: 'failed' | 'cancelled', reason: string): Promise<undefined> => {
      const ended = await deps.deliveries.abandon(doc, state, reason, new Date(), saved);
      if (ended && doc.order_key) deps.orderedEnded?.(doc);
      return undefined;
    };
    if (doc.attempts > doc.max_attempts) {
      return abandon('failed', `Gave up after ${doc.max_attempts} attempts (the last ones never finished: the process stopped during them)`);
    }
    const [destination, webhook] = await Promise.all([
      known.destination ?? deps.destinations.destinationOf(doc.destination_kind, doc.endpoint_id),
      known.webhook ?? deps.webhooks.byId(doc.webhook_id),
    ]);
    const noun = doc.destination_kind === 'integration' ? 'integration' : 'endpoint';
    if (!destination || !webhook) return abandon('cancelled', destination ? 'The webhook no longer exists' : `The ${noun} was deleted`);
    if (destination.disabled && trigger !== 'ping' && trigger !== 'manual') {
      return abandon('cancelled', `The ${noun} is disabled (${destination.disabledReason ?? 'by request'})`);
    }
    const transport = deps.destinations.transport(destination.transport);
    if (!transport) return abandon('cancelled', `No transport ${destination.transport} is registered in this process`);
    const account = await deps.accounts.findById(destination.account);
    if (!account) return abandon('cancelled', 'The account no longer exists');
    // The destination's slot covers the request only: recording the outcome is our own write, and
    // holding the receiver's slot through it would cap a fast receiver at our database's pace.
    const sent = await deps.limiter.run(destination.id.toHexString(), async () => {
      // Shutting down: an attempt that has not started goes back (uncounted) for another process or the next start.
      if (this.stopping) {
        await deps.deliveries.release(doc, new Date(), saved);
        return undefined;
      }
      // Waited long for a slot: make sure the claim is still ours before sending (an unsaved one is
      // written now, well before the sweep could take its webhook's fan-out for a crash).
      if (Date.now() - claimedAt > deps.leaseMs / 4) {
        if (!(await deps.deliveries.renewLease(doc, new Date(), deps.leaseMs, saved))) return undefined;
        saved = true;
      }
      const at = new Date();
      const renewClaim = async (): Promise<boolean> => {
        if (!(await deps.deliveries.renewLease(doc, new Date(), deps.leaseMs, saved))) return false;
        saved = true;
        return true;
      };
      return { at, outcome: await transport.send({ destination, delivery: doc, webhook, account, at, leaseMs: deps.leaseMs, renewClaim }) };
    });
    return sent ? this.record(doc, destination, sent.outcome, sent.at, trigger, saved) : undefined;
  }

  private async record(doc: DeliveryDoc, destination: Destination, outcome: AttemptOutcome, at: Date, trigger: AttemptTrigger, saved: boolean): Promise<AttemptReport> {
    const { deps } = this;
    const log = toLog(outcome, at, trigger);
    const now = new Date();
    const progress = { attempts: doc.attempts, maxAttempts: doc.max_attempts, trigger, destinationDisabled: destination.disabled };
    const { step, effects } = nextStep(outcome, progress, deps.policy, now);
    const applied = await deps.deliveries.conclude(doc, log, step, now, saved);
    deps.observer?.attempt({ destination: destination.kind, topic: doc.topic, state: step.state, status: log.status, durationMs: outcome.durationMs });
    deps.stats?.record({
      account: doc.account,
      destinationId: destination.id,
      log,
      outcome: applied && step.state !== 'skipped' ? (step.state === 'pending' ? 'retrying' : step.state) : null,
      health: outcome.verdict !== 'skip',
    });
    const source = deps.destinations.source(destination.kind);
    // A skipped delivery (nothing to send, e.g. a profile without the identifier) says nothing of the destination.
    if (outcome.verdict !== 'skip') source?.noteOutcome(destination.id, at, outcome.verdict === 'success', log.error);
    if (effects.disable) await source?.disable(destination.id, effects.disable);
    if (effects.enable) await source?.enable(destination.id);
    if (effects.markError) await source?.markError?.(destination.id, effects.markError);
    // After the effects: the next delivery of its profile, released now, sees the destination as it is (e.g. disabled).
    if (applied && step.state !== 'pending' && doc.order_key) deps.orderedEnded?.(doc);
    if (applied && step.state === 'pending') {
      await deps.schedule(doc._id, step.nextAttemptAt, doc.rev).catch((error: unknown) => {
        // The recovery sweep finds it once overdue; nothing is lost.
        deps.logger.warn({ err: error, delivery: doc._id.toHexString() }, 'chameleon-hooks: could not schedule a retry job');
      });
    }
    deps.logger.debug({ delivery: doc._id.toHexString(), status: log.status, state: step.state, trigger }, 'chameleon-hooks: attempt');
    return { log, state: step.state };
  }
}
