/**
 * The error raised when the middleware cannot obtain the exact raw body: too large, already consumed, or unreadable.
 */

/** Why the raw body could not be obtained. */
export type RawBodyFailureReason =
  /** The body is larger than `maxBodyBytes` (413). */
  | 'too_large'
  /** Another body parser (e.g. `express.json()`) read the body first (400). */
  | 'consumed'
  /** The request stream failed or was aborted (400). */
  | 'unreadable';

/** Raised by the middleware's body reader; `status` is 413 for `too_large`, 400 otherwise. */
export class RawBodyError extends Error {
  /** Why the body could not be obtained. */
  readonly reason: RawBodyFailureReason;
  /** The HTTP status to answer with. */
  readonly status: number;

  constructor(reason: RawBodyFailureReason, message: string) {
    super(message);
    this.name = new.target.name;
    this.reason = reason;
    this.status = reason === 'too_large' ? 413 : 400;
  }

  /** The package's error body: `{ code, messages: [message] }`. */
  toBody(): { code: number; messages: string[] } {
    return { code: this.status, messages: [this.message] };
  }
}
