/**
 * Stored documents of the delivery engine (webhooks, deliveries with their attempt log) and
 * the delivery's mapper to the API's JSON. A delivery goes to one destination of any kind.
 */
import type { ObjectId } from 'mongodb';

/** A published webhook: stored once, delivered to every subscribed endpoint. */
export interface WebhookDoc {
  _id: ObjectId;
  account: string;
  topic: string;
  data: Record<string, unknown>;
  created_at: Date;
  /**
   * The deliveries publish started with their first attempt right away. Their documents are
   * written once, with that attempt's outcome; this list, stored before any request, is what
   * the recovery sweep uses to create the ones a crash left unwritten.
   */
  fanout?: FanoutEntry[];
}

/** One delivery publish started at once (see {@link WebhookDoc.fanout}). */
export interface FanoutEntry {
  delivery_id: ObjectId;
  /** The destination's id (named for endpoints, the first kind). */
  endpoint_id: ObjectId;
  /** The destination's kind. @defaultValue `'endpoint'` when absent */
  destination_kind?: DestinationKind;
}

/** A short, secret-free description of the request made, kept in the attempt log. */
export interface RequestSummary {
  method: string;
  /** The URL, without credentials or query secrets. */
  url: string;
  /** Body size in bytes. */
  bytes: number;
  /** What the transport changed to send it (e.g. data trimmed to fit the destination's limits). */
  warnings?: string[];
}

/** One recorded attempt. */
export interface AttemptLog {
  at: Date;
  duration_ms: number;
  status: number | null;
  response_body: string | null;
  error: string | null;
  error_kind: string | null;
  /** What was sent, when the transport describes it (integrations). */
  request?: RequestSummary;
  /** What caused the attempt: the first send, a scheduled retry, a manual retry, a replay, a recovery after a crash. */
  trigger: AttemptTrigger;
  /** The host process that made it (`hostname-pid`), for multi-process deployments. */
  by: string;
}

/** The kinds of destination a delivery may go to: a webhook endpoint, or an integration (e.g. Customer.io). */
export type DestinationKind = 'endpoint' | 'integration';

/** Why an attempt was made. */
export type AttemptTrigger = 'publish' | 'retry' | 'manual' | 'replay' | 'recovery' | 'ping';

/** Where a delivery is in its life. */
export type DeliveryState = 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

/** The states in which a delivery has ended. */
export const ENDED_STATES: ReadonlySet<DeliveryState> = new Set(['succeeded', 'failed', 'cancelled', 'skipped']);

/** One webhook's delivery to one destination (an endpoint or an integration). */
export interface DeliveryDoc {
  _id: ObjectId;
  account: string;
  webhook_id: ObjectId;
  /** The destination's id (the field is named for endpoints, the first kind; indexes use it). */
  endpoint_id: ObjectId;
  /** The destination's kind. @defaultValue `'endpoint'` when absent (documents written before kinds existed) */
  destination_kind?: DestinationKind;
  topic: string;
  state: DeliveryState;
  /** Attempts started so far (counted before each request). */
  attempts: number;
  /** Attempts allowed (1 + the retry schedule's length; a manual retry raises it by one). */
  max_attempts: number;
  /** While an attempt is in flight, no one else may start one before this time. */
  lease_until: Date | null;
  /** When the next attempt is due (the recovery sweep's reference). */
  next_attempt_at: Date | null;
  /** Why the next attempt will be made. */
  next_trigger: AttemptTrigger;
  attempt_log: AttemptLog[];
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  /**
   * Ordered delivery (an endpoint with `ordering: 'profile'`): the key it is ordered under,
   * `endpointId|profileId`. Absent on unordered deliveries.
   */
  order_key?: string;
  /**
   * An ordered delivery waiting for the earlier ones of its key to end: never attempted (its
   * `next_attempt_at` is `null`) until it is released, as the head of its key's queue.
   */
  held?: boolean;
  /**
   * The version of a pending delivery's schedule: a fresh id written by every change to its state,
   * attempts, lease or due time, and removed once it has ended (so its unique sparse index holds
   * pending deliveries only). Claims and conclusions compare-and-set it (`{rev}` alone: one index
   * lookup, see `DeliveryClaims.claimDue`). Absent on documents written before it existed: those
   * are claimed and concluded by their fields, as before.
   */
  rev?: ObjectId;
}

/** Where a delivery goes after an attempt (what the attempt concluded). */
export type NextStep =
  | { state: 'succeeded' }
  | { state: 'pending'; nextAttemptAt: Date }
  | { state: 'failed'; reason: string }
  | { state: 'skipped'; reason: string };

/** Attempts kept in a delivery's log (the oldest are dropped beyond this). */
export const ATTEMPT_LOG_LIMIT = 50;

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/**
 * The state the API shows: a stored state, `sending` for a pending delivery whose attempt is in
 * flight (it holds a live lease; a first attempt from publish is in flight before its document exists),
 * or `held` for an ordered delivery waiting for the earlier ones of its profile to end.
 */
export function shownState(doc: DeliveryDoc, now = new Date()): DeliveryState | 'sending' | 'held' {
  if (doc.state === 'pending' && doc.held === true) return 'held';
  return doc.state === 'pending' && doc.lease_until !== null && doc.lease_until > now ? 'sending' : doc.state;
}

/** A delivery as the API shows it, with its attempts. */
export function deliveryJson(doc: DeliveryDoc): Record<string, unknown> {
  const now = new Date();
  return {
    id: doc._id.toHexString(),
    webhook_id: doc.webhook_id.toHexString(),
    ...(doc.destination_kind === undefined || doc.destination_kind === 'endpoint'
      ? { endpoint_id: doc.endpoint_id.toHexString() }
      : { destination: { kind: doc.destination_kind, id: doc.endpoint_id.toHexString() } }),
    kind: doc.topic,
    state: shownState(doc, now),
    attempts_count: doc.attempts,
    max_attempts: doc.max_attempts,
    next_attempt_at: doc.state === 'pending' ? iso(doc.next_attempt_at) : null,
    last_status: doc.last_status,
    last_error: doc.last_error,
    created_at: iso(doc.created_at),
    updated_at: iso(doc.updated_at),
    completed_at: iso(doc.completed_at),
    attempts: (doc.attempt_log ?? []).map((a) => ({
      at: iso(a.at),
      duration_ms: a.duration_ms,
      status: a.status,
      response_body: a.response_body,
      error: a.error,
      error_kind: a.error_kind,
      ...(a.request ? { request: a.request } : {}),
      trigger: a.trigger,
      by: a.by,
    })),
  };
}
