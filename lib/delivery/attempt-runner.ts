/**
 * Runs one attempt of a claimed delivery: load what it needs, wait for a slot (per endpoint,
 * then global), sign with a fresh `sent_at`, send, classify, record, and schedule the next
 * attempt on the retry schedule (honouring `Retry-After` within it).
 */
import { hostname } from 'node:os';
import type { Collection, ObjectId } from 'mongodb';
import type { Logger } from '../logger.js';
import { signingSecret, type AccountStore } from '../accounts/account-store.js';
import type { AttemptLog, AttemptTrigger, DeliveryDoc, EndpointDoc, WebhookDoc } from './documents.js';
import type { DeliveriesRepo, Conclusion } from './deliveries-repo.js';
import type { EndpointsRepo } from './endpoints-repo.js';
import type { EndpointStats } from './endpoint-stats.js';
import type { HttpSender, AttemptResult } from './http-sender.js';
import type { KeyedLimiter } from './limiter.js';
import { classifyAttempt } from './classify.js';
import { nextAttemptDelay } from './retry-schedule.js';
import { buildSignedRequest } from './request.js';

/** This process, as attempt logs name it. */
export const PROCESS_NAME = `${hostname()}-${process.pid}`;

/** Schedules a durable attempt of a delivery at a time (an Agenda job). */
export type ScheduleAttempt = (deliveryId: ObjectId, at: Date) => Promise<void>;

/** What the runner needs. */
export interface AttemptRunnerDeps {
  deliveries: DeliveriesRepo;
  webhooks: Collection<WebhookDoc>;
  endpoints: EndpointsRepo;
  accounts: AccountStore;
  sender: HttpSender;
  limiter: KeyedLimiter;
  stats: EndpointStats;
  schedule: ScheduleAttempt;
  retrySchedule: readonly number[];
  jitter: number;
  /** How long a claimed attempt is protected from other claims. */
  leaseMs: number;
  logger: Logger;
}

/** Records already loaded by the caller (publish has them in memory). */
export interface KnownRecords {
  webhook?: WebhookDoc;
  endpoint?: EndpointDoc;
  /**
   * The delivery's document is not written yet (a first attempt from publish, recorded in the
   * webhook's `fanout`): it is written once, with the attempt's outcome.
   */
  unsaved?: boolean;
}

/** What an attempt did, for callers that wait for it (ping, manual retry). */
export interface AttemptReport {
  log: AttemptLog;
  state: Conclusion['state'];
}

function toLog(result: AttemptResult, at: Date, trigger: AttemptTrigger): AttemptLog {
  return {
    at,
    duration_ms: Math.round(result.durationMs),
    status: result.status ?? null,
    response_body: result.responseBody ?? null,
    error: result.ok ? null : (result.error ?? `HTTP ${result.status}`),
    error_kind: result.errorKind ?? null,
    trigger,
    by: PROCESS_NAME,
  };
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
   * `due` (a job's), only if the delivery is still due at that time.
   */
  async attemptById(id: ObjectId, trigger: AttemptTrigger, due?: Date): Promise<AttemptReport | undefined> {
    const claimed = await this.deps.deliveries.claim(id, new Date(), this.deps.leaseMs, trigger, due);
    return claimed ? this.attemptClaimed(claimed, trigger) : undefined;
  }

  /** Attempts a delivery this process has claimed (its attempt is already counted). */
  async attemptClaimed(doc: DeliveryDoc, trigger: AttemptTrigger, known: KnownRecords = {}): Promise<AttemptReport | undefined> {
    const { deps } = this;
    const claimedAt = Date.now();
    let saved = !known.unsaved;
    if (doc.attempts > doc.max_attempts) {
      await deps.deliveries.abandon(doc, 'failed', `Gave up after ${doc.max_attempts} attempts (the last ones never finished: the process stopped during them)`, new Date(), saved);
      return undefined;
    }
    const [endpoint, webhook] = await Promise.all([
      known.endpoint ?? deps.endpoints.byId(doc.endpoint_id),
      known.webhook ?? deps.webhooks.findOne({ _id: doc.webhook_id }),
    ]);
    if (!endpoint || !webhook) {
      await deps.deliveries.abandon(doc, 'cancelled', endpoint ? 'The webhook no longer exists' : 'The endpoint was deleted', new Date(), saved);
      return undefined;
    }
    if (endpoint.disabled && trigger !== 'ping' && trigger !== 'manual') {
      await deps.deliveries.abandon(doc, 'cancelled', `The endpoint is disabled (${endpoint.disabled_reason ?? 'by request'})`, new Date(), saved);
      return undefined;
    }
    const account = await deps.accounts.findById(endpoint.account);
    if (!account) {
      await deps.deliveries.abandon(doc, 'cancelled', 'The account no longer exists', new Date(), saved);
      return undefined;
    }
    // The endpoint's slot covers the request only: recording the outcome is our own write, and
    // holding the receiver's slot through it would cap a fast receiver at our database's pace.
    const sent = await deps.limiter.run(endpoint._id.toHexString(), async () => {
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
      const request = buildSignedRequest(webhook._id.toHexString(), webhook.topic, webhook.data, signingSecret(account, at), at);
      return { at, result: await deps.sender.send({ url: endpoint.url, body: request.body, headers: request.headers }) };
    });
    return sent ? this.record(doc, endpoint, sent.result, sent.at, trigger, saved) : undefined;
  }

  private async record(doc: DeliveryDoc, endpoint: EndpointDoc, result: AttemptResult, at: Date, trigger: AttemptTrigger, saved: boolean): Promise<AttemptReport> {
    const { deps } = this;
    const log = toLog(result, at, trigger);
    const outcome = classifyAttempt(result);
    const now = new Date();
    let conclusion: Conclusion;
    if (outcome === 'success') conclusion = { state: 'succeeded' };
    else if (outcome === 'gone') conclusion = { state: 'failed', reason: 'The endpoint answered 410 Gone and was disabled' };
    else {
      const delay = doc.attempts < doc.max_attempts ? nextAttemptDelay(deps.retrySchedule, doc.attempts, deps.jitter, result.retryAfterMs) : undefined;
      conclusion = delay === undefined
        ? { state: 'failed', reason: `Gave up after ${doc.attempts} attempt${doc.attempts === 1 ? '' : 's'}` }
        : { state: 'pending', nextAttemptAt: new Date(now.getTime() + delay) };
    }
    const applied = await deps.deliveries.conclude(doc, log, conclusion, now, saved);
    deps.stats.record(endpoint._id, at, outcome === 'success', log.error);
    if (outcome === 'gone') await deps.endpoints.disable(endpoint._id, '410 Gone');
    if (outcome === 'success' && endpoint.disabled && trigger === 'ping') await deps.endpoints.enable(endpoint._id);
    if (applied && conclusion.state === 'pending') {
      await deps.schedule(doc._id, conclusion.nextAttemptAt).catch((error: unknown) => {
        // The recovery sweep finds it once overdue; nothing is lost.
        deps.logger.warn({ err: error, delivery: doc._id.toHexString() }, 'chameleon-hooks: could not schedule a retry job');
      });
    }
    deps.logger.debug({ delivery: doc._id.toHexString(), status: log.status, state: conclusion.state, trigger }, 'chameleon-hooks: attempt');
    return { log, state: conclusion.state };
  }
}
