/**
 * Pure judgement of one delivery attempt: success, retry or gone, and the receiver's `Retry-After`.
 */
import type { AttemptResult } from './http-sender.js';

/** What the delivery does after an attempt: stop (`success`), try again later (`retry`), or disable the endpoint (`gone`). */
export type AttemptOutcome = 'success' | 'retry' | 'gone';

/** The longest `Retry-After` honoured, in ms (24 h); longer values are cut to it. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Classifies an attempt: a `2xx` that was received in full is a success, `410 Gone` means the
 * receiver wants no more webhooks (disable the endpoint), and everything else — any other
 * status, a timeout, a network or TLS error, a refused address, a redirect — is retried.
 *
 * @example
 * classifyAttempt({ ok: true, status: 204, durationMs: 12 })                      // 'success'
 * classifyAttempt({ ok: false, status: 410, durationMs: 12, errorKind: 'http' })  // 'gone'
 * classifyAttempt({ ok: false, durationMs: 7000, errorKind: 'timeout' })          // 'retry'
 */
export function classifyAttempt(result: AttemptResult): AttemptOutcome {
  if (result.ok) return 'success';
  if (result.status === 410) return 'gone';
  return 'retry';
}

/** An HTTP-date starts with a day name (IMF-fixdate, RFC 850 and asctime forms alike). */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;

/**
 * Parses a `Retry-After` header — delay-seconds or an HTTP-date — into ms from `now`,
 * capped at {@link MAX_RETRY_AFTER_MS}. A date in the past gives 0; anything unparseable gives `undefined`.
 * With several values, the first is used.
 *
 * @example
 * parseRetryAfter('5', new Date())                                   // 5000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', new Date('2015-10-21T07:28:00Z')) // 10000
 * parseRetryAfter('999999999', new Date())                           // 86400000: capped at 24 h
 * parseRetryAfter('soon', new Date())                                // undefined
 */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now.getTime()), MAX_RETRY_AFTER_MS);
}
