/**
 * Scalar values: strings converted to dates, numbers and booleans, everything else made storable, strings byte-limited.
 */
import { fromUnixSeconds, parseRelativeTime, parseTimestamp } from './dates.js';
import { exampleOf } from './example.js';
import { isTimeName } from './names.js';
import { parseNumber } from './numbers.js';
import { BOOLEAN_STRINGS, CONVERTIBLE_MAX_LENGTH, NOW_TOKEN } from './rules.js';
import { utf8CutIndex } from './truncate.js';
import { addWarning } from './warnings.js';
import type { CleanOptions, CleanScalar, DataWarning } from './types.js';

const DOLLAR = 36;
const PLUS = 43;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;

/** Cuts a string to `valueBytes`, recording a `truncated` warning at `path` when it had to. */
function limitString(value: string, path: string, options: CleanOptions, warnings: DataWarning[]): string {
  const cut = utf8CutIndex(value, options.valueBytes);
  if (cut < 0) return value;
  addWarning(warnings, path, 'truncated', exampleOf(value));
  return value.slice(0, cut);
}

/** A number, or under a time name the date that many Unix seconds stand for. */
function numberOrTime(n: number, name: string): CleanScalar {
  return isTimeName(name) ? (fromUnixSeconds(n) ?? n) : n;
}

function parseNumberOrTime(value: string, name: string): CleanScalar | undefined {
  const n = parseNumber(value);
  return n === undefined ? undefined : numberOrTime(n, name);
}

/**
 * The native value a short string stands for, or `undefined` when it stays a string; `name` is
 * the normalised name that owns it (time rule). Dispatches on the first character so that plain
 * text costs a comparison or two.
 *
 * @example
 * convertString('2029-08-21', 'plan', now)    // Date 2029-08-21T00:00:00Z
 * convertString('12.12', 'plan', now)         // 12.12
 * convertString('1881974806', 'seen_at', now) // Date 2029-08-21T02:46:46Z
 * convertString('TRUE', 'plan', now)          // true
 * convertString('hello', 'plan', now)         // undefined
 */
export function convertString(value: string, name: string, now: Date): CleanScalar | undefined {
  const c = value.charCodeAt(0);
  if (c >= ZERO && c <= NINE) {
    if (value.length >= 10 && value.charCodeAt(4) === MINUS) return parseTimestamp(value);
    return parseNumberOrTime(value, name);
  }
  switch (c) {
    case MINUS:
      return parseRelativeTime(value, now) ?? parseNumberOrTime(value, name);
    case PLUS:
      return parseRelativeTime(value, now);
    case DOLLAR:
      return value === NOW_TOKEN ? new Date(now.getTime()) : undefined;
    default:
      return value.length === 4 || value.length === 5 ? BOOLEAN_STRINGS.get(value.toLowerCase()) : undefined;
  }
}

function cleanString(value: string, name: string, path: string, options: CleanOptions, warnings: DataWarning[]): CleanScalar {
  if (value.length === 0) return value;
  if (value.length <= CONVERTIBLE_MAX_LENGTH) {
    const converted = convertString(value, name, options.now);
    if (converted !== undefined) return converted;
  }
  return limitString(value, path, options, warnings);
}

/**
 * Cleans one scalar (anything but a plain object or an array) owned by the normalised `name`
 * (time rule), warning at `path`: strings are converted or byte-limited, numbers under a time
 * name become dates, non-finite numbers, bigints, symbols and functions become strings, valid
 * dates are copied. `null` and `undefined` give `undefined`. Allocates nothing for plain values.
 *
 * @example
 * const options = { valueBytes: 768, now: new Date() };
 * cleanScalar('1881974806', 'seen_at', 'seen_at', options, []) // Date 2029-08-21T02:46:46Z
 * cleanScalar('1881974806', 'count', 'count', options, [])     // 1881974806
 * cleanScalar(Number.NaN, 'score', 'score', options, [])        // 'NaN'
 */
export function cleanScalar(
  value: unknown,
  name: string,
  path: string,
  options: CleanOptions,
  warnings: DataWarning[],
): CleanScalar | undefined {
  switch (typeof value) {
    case 'string':
      return cleanString(value, name, path, options, warnings);
    case 'number':
      return Number.isFinite(value) ? numberOrTime(value, name) : String(value);
    case 'boolean':
      return value;
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return undefined;
      if (value instanceof Date && !Number.isNaN(value.getTime())) return new Date(value.getTime());
      return limitString(String(value), path, options, warnings);
    default:
      return limitString(String(value), path, options, warnings);
  }
}
