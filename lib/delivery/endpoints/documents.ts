/**
 * The endpoint document (a destination of kind `endpoint`) and its mapper to the API's JSON.
 */
import type { ObjectId } from 'mongodb';
import type { DestinationHealth } from '../deliveries/health.js';
import type { AttemptReport } from '../attempts/attempt-runner.js';
import type { Ordering } from '../ordering/order-key.js';

/**
 * How an endpoint's webhooks are signed: `chameleon` (`X-Chameleon-Signature`, hex HMAC of the body),
 * `standard` (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`) or `both`.
 */
export type SignatureScheme = 'chameleon' | 'standard' | 'both';

/** The signature schemes, the default first. */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = Object.freeze(['chameleon', 'standard', 'both']);

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
  /** How its webhooks are signed; absent on endpoints stored before the option existed (`chameleon`). */
  signature?: SignatureScheme;
  /** `profile`: each profile's deliveries arrive in publish order; absent on endpoints stored before the option existed (`none`). */
  ordering?: Ordering;
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
    signature: doc.signature ?? 'chameleon',
    ordering: doc.ordering ?? 'none',
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

/** An endpoint's recent performance (see `deliveries/health.ts`). */
export type EndpointHealth = DestinationHealth;

/** A ping's outcome as the HTTP APIs show it (`{ping: …}`): `pending` while its attempt has not ended. */
export function pingJson(webhookId: string, report: AttemptReport | undefined): Record<string, unknown> {
  return {
    id: webhookId,
    state: report?.state ?? 'pending',
    status: report?.log.status ?? null,
    duration_ms: report?.log.duration_ms ?? null,
    error: report?.log.error ?? null,
  };
}
