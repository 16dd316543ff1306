/**
 * Public types of the receiving side: the verified payload, the options, and the Express `Request` additions.
 */

/** A verified Chameleon webhook body (SPEC section 5). */
export interface ChameleonWebhook {
  /** The webhook's id (24 hex characters), the same on every attempt: use it to deduplicate. */
  id: string;
  /** The topic, e.g. `ping` or `tour.completed`. */
  kind: string;
  /** ISO-8601 UTC time of this attempt, checked against the tolerance. */
  sent_at: string;
  /** The topic's payload. */
  data: Record<string, unknown>;
}

/** Options of {@link verifyWebhook}, the framework-agnostic core. */
export interface VerifyWebhookOptions {
  /**
   * The account's webhook secret, or a list of accepted secrets while rotating
   * (e.g. `[current, previous]`); a body signed with any of them verifies.
   */
  secret: string | readonly string[];
  /**
   * How far `sent_at` may be from now, in seconds, in either direction; `Infinity` turns the
   * check off (not recommended: it is the replay protection).
   * @defaultValue 300
   */
  toleranceSeconds?: number;
  /**
   * The clock used for the tolerance check (inject a fixed clock in tests).
   * @defaultValue `() => new Date()`
   */
  now?: () => Date;
}

/** Options of the `verifyChameleonWebhook()` Express middleware. */
export interface VerifyChameleonWebhookOptions extends VerifyWebhookOptions {
  /**
   * Largest body read, in bytes; a larger one is answered `413`.
   * @defaultValue 1 MiB (1048576)
   */
  maxBodyBytes?: number;
}

/** A header bag: Node's `IncomingHttpHeaders` (or any record, matched case-insensitively) or a fetch `Headers`. */
export type WebhookHeaders =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

declare global {
  // Augmenting Express's global `Request` is the documented way to type what a middleware adds.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified webhook, set by `verifyChameleonWebhook()` (same object as `req.body`). */
      chameleonWebhook?: ChameleonWebhook;
      /** The exact raw body bytes, set by `verifyChameleonWebhook()`. */
      rawBody?: Buffer;
    }
  }
}
