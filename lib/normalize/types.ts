/**
 * The public types of the normalisation module: clean values, data warnings, options and results.
 */

/** A scalar as stored: one of MongoDB's native types. */
export type CleanScalar = string | number | boolean | Date;

/** A stored property value: a scalar, an array of scalars, or an object (at most 3 levels deep). */
export type CleanValue = CleanScalar | CleanScalar[] | CleanObject;

/**
 * A cleaned object value. Objects produced by this module have a `null` prototype and keys that
 * only ever match `^[a-z0-9_]+$`.
 */
export interface CleanObject {
  [key: string]: CleanValue;
}

/**
 * Why a value or name was not stored as sent.
 * - `truncated`: a string was cut to `valueBytes`, an array to 1,000 items, or a name to 128 characters.
 * - `reserved_name`: the name starts with `$`, is `__proto__`, or normalises to a reserved name.
 * - `nested_too_deep`: an object at level 4 or deeper was dropped.
 * - `object_in_array`: an object or array inside an array was dropped.
 * - `invalid_name`: the name normalises to the empty string.
 */
export type WarningReason = 'truncated' | 'reserved_name' | 'nested_too_deep' | 'object_in_array' | 'invalid_name';

/** One data warning, as produced for a single property bag. */
export interface DataWarning {
  /**
   * The normalised property path: the top-level name, dotted for nested keys (`deep.b.c`).
   * For a dropped name it is the normalised form of that name (`$set` → `set`), or the parent
   * path (`''` at the top level) when nothing is left of it.
   */
  prop: string;
  /** Why the value or name was changed or dropped. */
  reason: WarningReason;
  /** A short (at most 120 characters) example of the offending raw value or name. */
  example: string;
}

/** What cleaning needs from the caller. */
export interface CleanOptions {
  /** Bytes of UTF-8 stored for each scalar string (the package default is 768). */
  valueBytes: number;
  /** The server time: the value of `"$now"` and the base of relative times like `"+30d"`. */
  now: Date;
}

/** The outcome of cleaning a property bag. */
export interface CleanResult {
  /** The clean properties, keyed by normalised name; a `null`-prototype object. */
  props: Record<string, CleanValue>;
  /** Every data warning raised while cleaning, in input order. */
  warnings: DataWarning[];
  /**
   * Normalised names whose (last) raw value was `null`: they are absent from `props`, and the
   * caller may unset them in storage. Always set by `cleanProperties`.
   */
  unset?: string[];
}

/** The type of a clean value, as recorded in the property catalogue. */
export type PropertyType = 'string' | 'number' | 'boolean' | 'date' | 'array' | 'object';
