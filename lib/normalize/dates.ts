/**
 * Time values: ISO-like timestamps, Unix seconds and times relative to now, all as UTC dates.
 */
import { MAX_DATE_MS, RELATIVE_TIME_RE, TIMESTAMP_RE, TIME_UNIT_MS } from './rules.js';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ZERO = 48;
const NINE = 57;
const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** A `Date` for `ms` from the epoch, or `undefined` outside the range a `Date` can hold. */
function toDate(ms: number): Date | undefined {
  return Math.abs(ms) <= MAX_DATE_MS ? new Date(ms) : undefined;
}

/** The number written at `value[start, end)`, whose characters are known to be digits. */
function digitsAt(value: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + value.charCodeAt(i) - ZERO;
  return n;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`): pure
 * arithmetic, no allocation, and years 0–99 are taken literally (unlike `Date.UTC`).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Milliseconds of a fraction of a second written at `value[start, end)` (digits beyond 3 dropped). */
function fractionMs(value: string, start: number, end: number): number {
  const digits = Math.min(end - start, 3);
  return digitsAt(value, start, start + digits) * 10 ** (3 - digits);
}

/**
 * Parses an ISO-8601-like timestamp ({@link TIMESTAMP_RE}) into a UTC date; a timestamp
 * without an offset is UTC. Impossible dates and times (`2029-02-31`, `25:00`) are not
 * timestamps. Sub-millisecond digits are dropped. Checks the grammar with the regex, then reads
 * the fields by position, allocating nothing but the `Date`.
 *
 * @example
 * parseTimestamp('2029-08-21T02:46:46Z')       // 2029-08-21T02:46:46.000Z
 * parseTimestamp('2029-08-21 02:46:46 +02:00') // 2029-08-21T00:46:46.000Z
 * parseTimestamp('2029-08-21')                 // 2029-08-21T00:00:00.000Z
 * parseTimestamp('2029-02-31')                 // undefined
 */
export function parseTimestamp(value: string): Date | undefined {
  if (!TIMESTAMP_RE.test(value)) return undefined;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 7);
  const day = digitsAt(value, 8, 10);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const midnight = daysFromCivil(year, month, day) * MS_PER_DAY;
  if (value.length === 10) return toDate(midnight);

  const hour = digitsAt(value, 11, 13);
  const minute = digitsAt(value, 14, 16);
  let second = 0;
  let ms = 0;
  let i = 16;
  if (value[i] === ':') {
    second = digitsAt(value, 17, 19);
    i = 19;
    if (value[i] === '.' || value[i] === ',') {
      const start = ++i;
      while (i < value.length && value.charCodeAt(i) >= ZERO && value.charCodeAt(i) <= NINE) i++;
      ms = fractionMs(value, start, i);
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;

  if (value[i] === ' ') i++;
  const sign = value[i];
  let offset = 0;
  if (sign === '+' || sign === '-') {
    const offsetHours = digitsAt(value, i + 1, i + 3);
    const colon = value[i + 3] === ':' ? 1 : 0;
    const offsetMinutes = i + 3 < value.length ? digitsAt(value, i + 3 + colon, i + 5 + colon) : 0;
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    offset = (sign === '-' ? -1 : 1) * (offsetHours * MS_PER_HOUR + offsetMinutes * MS_PER_MINUTE);
  }
  return toDate(midnight + hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * 1000 + ms - offset);
}

/**
 * The date `seconds` after the Unix epoch (fractions kept to the millisecond), or `undefined`
 * when that is outside the range of a `Date`.
 *
 * @example
 * fromUnixSeconds(1881974806) // 2029-08-21T02:46:46.000Z
 * fromUnixSeconds(1e300)      // undefined
 */
export function fromUnixSeconds(seconds: number): Date | undefined {
  return toDate(Math.round(seconds * 1000));
}

/**
 * Parses a time relative to `now`: a sign, an amount and a unit (`s`, `m`, `h`, `d`, `w`).
 *
 * @example
 * parseRelativeTime('+30d', new Date('2029-01-01T00:00:00Z')) // 2029-01-31T00:00:00.000Z
 * parseRelativeTime('-2h', new Date('2029-01-01T00:00:00Z'))  // 2028-12-31T22:00:00.000Z
 * parseRelativeTime('+30y', new Date())                       // undefined
 */
export function parseRelativeTime(value: string, now: Date): Date | undefined {
  const m = RELATIVE_TIME_RE.exec(value);
  if (m === null) return undefined;
  const [, sign, amount, unit] = m;
  const delta = Number(amount) * (TIME_UNIT_MS[unit ?? ''] ?? Number.NaN);
  const ms = now.getTime() + (sign === '-' ? -delta : delta);
  return Number.isFinite(ms) ? toDate(ms) : undefined;
}
