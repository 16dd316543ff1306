/**
 * `Retry-After` parsing, shared by the transports.
 */

/** The longest `Retry-After` honoured, in ms (24 h); longer values are cut to it. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

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
