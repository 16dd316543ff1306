/**
 * Turns verified raw bytes into a `ChameleonWebhook`, and checks `sent_at` against the tolerance window.
 */
import { WebhookVerificationError } from './webhook-verification-error.js';
import type { ChameleonWebhook } from './types.js';

/** An ISO-8601 date-time with an explicit zone (`Z` or an offset). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses the body as JSON and checks its shape (`id`, `kind` strings, `data` an object).
 *
 * @throws WebhookVerificationError `malformed`.
 * @internal
 */
export function parsePayload(raw: Uint8Array): ChameleonWebhook {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch {
    throw new WebhookVerificationError('malformed', 'The webhook body is not valid JSON');
  }
  if (!isPlainObject(parsed)) {
    throw new WebhookVerificationError('malformed', 'The webhook body must be a JSON object');
  }
  for (const field of ['id', 'kind'] as const) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '') {
      throw new WebhookVerificationError('malformed', `The webhook body must have a non-empty string \`${field}\``);
    }
  }
  if (!isPlainObject(parsed.data)) {
    throw new WebhookVerificationError('malformed', 'The webhook body must have an object `data`');
  }
  return parsed as unknown as ChameleonWebhook;
}

/**
 * Checks that `sent_at` is an ISO-8601 date no more than `toleranceSeconds` before or after `now`
 * (the bounds themselves are accepted).
 *
 * @throws WebhookVerificationError `missing_timestamp`, `stale` or `future`.
 * @internal
 */
export function checkSentAt(sentAt: unknown, now: Date, toleranceSeconds: number): void {
  const time = typeof sentAt === 'string' && ISO_DATE_TIME.test(sentAt) ? Date.parse(sentAt) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new WebhookVerificationError(
      'missing_timestamp',
      'The webhook body must have `sent_at`, an ISO-8601 date-time such as 2024-05-01T12:00:00.000Z',
    );
  }
  const ageMs = now.getTime() - time;
  const toleranceMs = toleranceSeconds * 1000;
  if (ageMs > toleranceMs) {
    throw new WebhookVerificationError(
      'stale',
      `The webhook is stale: sent_at is more than ${toleranceSeconds} s in the past (replayed, or clocks out of sync)`,
    );
  }
  if (-ageMs > toleranceMs) {
    throw new WebhookVerificationError(
      'future',
      `The webhook is from the future: sent_at is more than ${toleranceSeconds} s ahead (clocks out of sync)`,
    );
  }
}
