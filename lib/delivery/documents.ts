/**
 * Stored documents of the delivery side (endpoints, webhooks, deliveries with their attempt
 * log) and their mappers to the API's JSON.
 */
import type { ObjectId } from 'mongodb';

/** An account's outgoing webhook endpoint. */
export interface EndpointDoc {
  _id: ObjectId;
  account: string;
  /** `account|n`: the account's endpoint slot it holds (unique), which enforces the per-account limit. */
  slot_key: string;
  url: string;
  name: string;
  topics: string[];
  experience_ids: string[];
  disabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  /** Start of the current run of consecutive failures, if failing. */
  failing_since: Date | null;
  last_item_at: Date | null;
  last_item_state: 'valid' | 'error' | null;
  last_item_error: string | null;
  created_at: Date;
  updated_at: Date;
}

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
  fanout?: Array<{ delivery_id: ObjectId; endpoint_id: ObjectId }>;
}

/** One recorded attempt. */
export interface AttemptLog {
  at: Date;
  duration_ms: number;
  status: number | null;
  response_body: string | null;
  error: string | null;
  error_kind: string | null;
  /** What caused the attempt: the first send, a scheduled retry, a manual retry, a replay, a recovery after a crash. */
  trigger: AttemptTrigger;
  /** The host process that made it (`hostname-pid`), for multi-process deployments. */
  by: string;
}

/** Why an attempt was made. */
export type AttemptTrigger = 'publish' | 'retry' | 'manual' | 'replay' | 'recovery' | 'ping';

/** Where a delivery is in its life. */
export type DeliveryState = 'pending' | 'succeeded' | 'failed' | 'cancelled';

/** One webhook's delivery to one endpoint. */
export interface DeliveryDoc {
  _id: ObjectId;
  account: string;
  webhook_id: ObjectId;
  endpoint_id: ObjectId;
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
}

/** Attempts kept in a delivery's log (the oldest are dropped beyond this). */
export const ATTEMPT_LOG_LIMIT = 50;

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** An endpoint as the API shows it: never its secret. */
export function endpointJson(doc: EndpointDoc, health?: EndpointHealth): Record<string, unknown> {
  return {
    id: doc._id.toHexString(),
    uid: doc.url,
    url: doc.url,
    name: doc.name,
    topics: doc.topics,
    experience_ids: doc.experience_ids,
    state: doc.disabled ? 'disabled' : 'enabled',
    disabled_reason: doc.disabled_reason,
    disabled_at: iso(doc.disabled_at),
    last_item_at: iso(doc.last_item_at),
    last_item_state: doc.last_item_state,
    last_item_error: doc.last_item_error,
    created_at: iso(doc.created_at),
    updated_at: iso(doc.updated_at),
    ...(health ? { health } : {}),
  };
}

/** An endpoint's recent performance. */
export interface EndpointHealth {
  /** `active` when the latest attempt succeeded, `inactive` when it failed, `unknown` before any. */
  status: 'active' | 'inactive' | 'unknown';
  attempts: number;
  success_rate: number | null;
  latency_ms: { p50: number | null; p95: number | null; avg: number | null };
  window: string;
}

/** A delivery as the API shows it, with its attempts. */
export function deliveryJson(doc: DeliveryDoc): Record<string, unknown> {
  return {
    id: doc._id.toHexString(),
    webhook_id: doc.webhook_id.toHexString(),
    endpoint_id: doc.endpoint_id.toHexString(),
    kind: doc.topic,
    state: doc.state,
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
      trigger: a.trigger,
      by: a.by,
    })),
  };
}
