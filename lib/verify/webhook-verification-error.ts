/**
 * The error thrown when a webhook fails verification; `reason` says why, and it always answers 400.
 */

/** Why a webhook was rejected. */
export type VerificationFailureReason =
  /** No `X-Chameleon-Signature` header. */
  | 'missing_signature'
  /** The signature does not match the body with any accepted secret (or is not 64 hex digits). */
  | 'bad_signature'
  /** The body is not JSON, or not an object with string `id`, `kind` and an object `data`. */
  | 'malformed'
  /** `sent_at` is older than the tolerance. */
  | 'stale'
  /** `sent_at` is further in the future than the tolerance. */
  | 'future'
  /** `sent_at` is missing, not a string, or not an ISO-8601 date. */
  | 'missing_timestamp';

/**
 * Thrown by {@link verifyWebhook} when a webhook must be rejected. `status` is always `400`, and
 * {@link WebhookVerificationError.toBody} gives the package's `{code, messages}` error body.
 */
export class WebhookVerificationError extends Error {
  /** Why the webhook was rejected. */
  readonly reason: VerificationFailureReason;
  /** The HTTP status to answer with: always 400. */
  readonly status = 400;

  constructor(reason: VerificationFailureReason, message: string) {
    super(message);
    this.name = new.target.name;
    this.reason = reason;
  }

  /** The package's error body: `{ code: 400, messages: [message] }`. */
  toBody(): { code: number; messages: string[] } {
    return { code: this.status, messages: [this.message] };
  }
}
