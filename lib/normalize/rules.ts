/**
 * The data rules of SPEC section 4 as one table: name patterns, reserved names, time suffixes, units and limits.
 */

/** The longest normalised name kept; longer names are cut (with a `truncated` warning). */
export const NAME_MAX_LENGTH = 128;

/** Short raw names whose normalised form is remembered (a pure cache of `normalizeName`). */
export const NAME_MEMO_SIZE = 4096;

/** Levels a property may span, counting the property itself as level 1 ("3 levels"). */
export const MAX_LEVELS = 3;

/** Items kept in an array; the rest are dropped with a `truncated` warning. */
export const MAX_ARRAY_ITEMS = 1000;

/** The longest `example` carried by a data warning, in characters. */
export const EXAMPLE_MAX_CHARS = 120;

/** Strings longer than this are never converted (no date, number or boolean is this long). */
export const CONVERTIBLE_MAX_LENGTH = 64;

/** Significant decimal digits a double always round-trips; longer decimals stay strings. */
export const MAX_EXACT_DIGITS = 15;

/** The largest absolute time, in ms from the epoch, that a JavaScript `Date` can hold. */
export const MAX_DATE_MS = 8.64e15;

/** Normalised names that are never stored as custom properties. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['id', '_id', 'created_at', 'updated_at']);

/** Raw names (checked before normalising) that are never stored, whatever they normalise to. */
export const RESERVED_RAW_NAMES: ReadonlySet<string> = new Set(['__proto__']);

/** A raw name starting with this character is reserved (MongoDB operators: `$set`, `$where`). */
export const RESERVED_RAW_PREFIX = '$';

/** A property whose normalised name ends in one of these holds a time: Unix seconds become dates. */
export const TIME_SUFFIXES: readonly string[] = Object.freeze(['_at', '_on', '_date', '_time']);

/** The string value that stands for the server time. */
export const NOW_TOKEN = '$now';

/** Milliseconds in each unit of a relative time such as `"+30d"` or `"-2h"`. */
export const TIME_UNIT_MS: Readonly<Record<string, number>> = Object.freeze({
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
});

/** Strings (compared lower-cased) that become booleans. */
export const BOOLEAN_STRINGS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
]);

/** A name that is already normalised: the fast path of `normalizeName`. */
export const NORMALISED_NAME_RE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

/** A name holding a non-ASCII character: folded to ASCII (NFKD, accents removed) first. */
export const NON_ASCII_RE = /[\u0080-\uffff]/;

/** Combining marks, removed after NFKD so that `Café` normalises to `cafe`. */
export const COMBINING_MARKS_RE = /[\u0300-\u036f]/g;

/**
 * An ISO-8601-like timestamp: a date, optionally a time (`T` or space), optional seconds and
 * fraction, and an optional `Z` or `±hh[:mm]` offset (optionally after a space). No offset means UTC.
 * `parseTimestamp` checks a string against it, then reads the fields by position.
 */
export const TIMESTAMP_RE =
  /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?: ?(?:[Zz]|[+-]\d{2}(?::?\d{2})?))?)?$/;

/** A decimal number as JSON writes it: no leading zeros, no `+`, no hex, no padding. */
export const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A time relative to now: sign, amount and one of the units of {@link TIME_UNIT_MS}. */
export const RELATIVE_TIME_RE = /^([+-])(\d{1,9})([smhdw])$/;
