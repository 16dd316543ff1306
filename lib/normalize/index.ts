/**
 * The normalisation module's public surface: named re-exports only.
 */
export type {
  CleanObject,
  CleanOptions,
  CleanResult,
  CleanScalar,
  CleanValue,
  DataWarning,
  PropertyType,
  WarningReason,
} from './types.js';
export {
  BOOLEAN_STRINGS,
  CONVERTIBLE_MAX_LENGTH,
  EXAMPLE_MAX_CHARS,
  MAX_ARRAY_ITEMS,
  MAX_DATE_MS,
  MAX_EXACT_DIGITS,
  MAX_LEVELS,
  NAME_MAX_LENGTH,
  NOW_TOKEN,
  RESERVED_NAMES,
  RESERVED_RAW_NAMES,
  RESERVED_RAW_PREFIX,
  TIME_SUFFIXES,
  TIME_UNIT_MS,
} from './rules.js';
export { isReservedName, isReservedRawName, isTimeName, normalizeName } from './names.js';
export { fromUnixSeconds, parseRelativeTime, parseTimestamp } from './dates.js';
export { parseNumber } from './numbers.js';
export { truncateUtf8 } from './truncate.js';
export { exampleOf } from './example.js';
export { cleanProperties, cleanValue } from './normalize.js';
export { propertyType } from './property-type.js';
