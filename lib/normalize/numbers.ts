/**
 * Numeric strings: converted to numbers only when no information is lost.
 */
import { MAX_EXACT_DIGITS, NUMBER_RE } from './rules.js';

const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;
const DOT = 46;

interface Mantissa {
  /** Significant digits, leading and trailing zeros excluded. */
  significant: number;
  /** Whether the number has a fraction or an exponent. */
  decimal: boolean;
}

/** Reads the significant digits of a string that matched {@link NUMBER_RE}. */
function readMantissa(value: string): Mantissa {
  let index = 0;
  let first = -1;
  let last = -1;
  let decimal = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === LOWER_E || c === UPPER_E) return { significant: first < 0 ? 0 : last - first + 1, decimal: true };
    if (c === DOT) decimal = true;
    if (c < ZERO || c > NINE) continue;
    if (c !== ZERO) {
      if (first < 0) first = index;
      last = index;
    }
    index++;
  }
  return { significant: first < 0 ? 0 : last - first + 1, decimal };
}

/**
 * Converts a decimal string to a number when that loses nothing: integers must be safe
 * integers, decimals at most 15 significant digits, and the result finite, non-zero unless the
 * input is zero, and not `-0`. Leading zeros, `+`, hex, padding, `Infinity` and `NaN` are not numbers.
 *
 * @example
 * parseNumber('12')                // 12
 * parseNumber('11.9932e5')         // 1199320
 * parseNumber('02134')             // undefined: a leading zero (a ZIP code, an id)
 * parseNumber('9007199254740993')  // undefined: beyond Number.MAX_SAFE_INTEGER
 */
export function parseNumber(value: string): number | undefined {
  if (!NUMBER_RE.test(value)) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || Object.is(n, -0)) return undefined;
  if (value.length <= MAX_EXACT_DIGITS && n !== 0) return n;
  const { significant, decimal } = readMantissa(value);
  if (!decimal) return Number.isSafeInteger(n) ? n : undefined;
  if (significant > MAX_EXACT_DIGITS) return undefined;
  if (n === 0 && significant > 0) return undefined;
  return n;
}
