/**
 * What a transport is: the one part of the engine that knows a kind of destination's wire
 * protocol. It sends ONE attempt of one delivery and describes what happened; it never writes
 * to the database, never schedules, never throws. The engine turns its outcome into the next
 * step (`attempts/next-step.ts`), the same way for every kind.
 */
import type { Account } from '../../accounts/account-store.js';
import type { Destination } from './destination.js';
import type { DeliveryDoc, RequestSummary, WebhookDoc } from '../deliveries/documents.js';

/** Why an attempt failed (transports may add their own kinds; these are the HTTP ones). */
export type AttemptErrorKind = 'timeout' | 'network' | 'tls' | 'forbidden_address' | 'forbidden_url' | 'redirect' | 'http' | 'rejected' | 'skipped';

/**
 * What the transport concluded from the answer, before any schedule is applied:
 * - `success`: delivered;
 * - `retry`: try again on the durable retry schedule (honouring `retryAfterMs`);
 * - `final`: failed for good, no retry (e.g. a Track API `400`/`401`);
 * - `gone`: failed for good and the destination wants nothing more: it is disabled (`410 Gone`);
 * - `skip`: nothing to send for this delivery (e.g. a profile without the identifier): it ends `skipped`.
 */
export type Verdict = 'success' | 'retry' | 'final' | 'gone' | 'skip';

/** The outcome of one attempt, as a transport reports it. */
export interface AttemptOutcome {
  verdict: Verdict;
  /** Wall time of the attempt, in ms. */
  durationMs: number;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** What was sent (optional: webhook attempts leave it out, their request is the webhook itself). */
  request?: RequestSummary;
  /** The start of the response body (capped), as UTF-8. */
  responseBody?: string;
  /** A human-readable reason, on anything but success. */
  error?: string;
  errorKind?: AttemptErrorKind;
  /** The receiver's `Retry-After`, in ms (already capped). */
  retryAfterMs?: number;
  /**
   * Marks the destination itself in error with this message (shown as its `last_item_error`),
   * e.g. "credentials rejected" after a `401`.
   */
  destinationError?: string;
}

/** Everything one attempt may need, already loaded by the engine. */
export interface TransportAttempt<T = unknown> {
  destination: Destination<T>;
  delivery: DeliveryDoc;
  webhook: WebhookDoc;
  account: Account;
  /** The attempt's time (e.g. the `sent_at` of a webhook body). */
  at: Date;
  /** How long the attempt's claim lasts from its last renewal, in ms. */
  leaseMs?: number;
  /**
   * Renews the claim (a transport that waits before sending, e.g. for a rate limit, calls it at
   * least every `leaseMs / 2`, so no other process takes the delivery meanwhile); `false` once
   * the claim is no longer ours.
   */
  renewClaim?: () => Promise<boolean>;
}

/**
 * Sends attempts to one kind of destination. Registered on the engine under the name its
 * destinations give as `transport` (`'webhook'`, `'customerio'`).
 */
export interface Transport<T = unknown> {
  /** Sends one attempt. Must resolve (never reject) within the delivery timeout. */
  send(attempt: TransportAttempt<T>): Promise<AttemptOutcome>;
  /** Releases connections once in-flight attempts end. */
  close(): Promise<void>;
}
