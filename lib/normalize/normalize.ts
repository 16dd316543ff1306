/**
 * Applies the data rules to property bags: names, reserved names, levels, arrays and scalar values.
 */
import { exampleOf } from './example.js';
import { capName, isReservedName, isReservedRawName, normalizeName, normalizeNameUncapped } from './names.js';
import { MAX_ARRAY_ITEMS, MAX_LEVELS, NAME_MAX_LENGTH } from './rules.js';
import { cleanScalar } from './values.js';
import { addWarning, joinPath } from './warnings.js';
import type { CleanObject, CleanOptions, CleanResult, CleanScalar, CleanValue, DataWarning } from './types.js';

/**
 * The normalised name for a raw key, or `undefined` when the key is dropped (with a
 * `reserved_name` or `invalid_name` warning). Names cut to 128 characters warn `truncated`.
 */
function resolveName(raw: string, parent: string | undefined, warnings: DataWarning[]): string | undefined {
  if (isReservedRawName(raw)) {
    addWarning(warnings, joinPath(parent, normalizeName(raw)), 'reserved_name', exampleOf(raw));
    return undefined;
  }
  const uncapped = normalizeNameUncapped(raw);
  if (uncapped === '') {
    addWarning(warnings, parent ?? '', 'invalid_name', exampleOf(raw));
    return undefined;
  }
  const name = uncapped.length > NAME_MAX_LENGTH ? capName(uncapped) : uncapped;
  if (isReservedName(name)) {
    addWarning(warnings, joinPath(parent, name), 'reserved_name', exampleOf(raw));
    return undefined;
  }
  if (name !== uncapped) addWarning(warnings, joinPath(parent, name), 'truncated', exampleOf(raw));
  return name;
}

function isScalarLike(value: unknown): boolean {
  return typeof value !== 'object' || value === null || value instanceof Date;
}

/** Cleans array items as scalars: `null` dropped, objects and arrays dropped with a warning, 1,000 kept. */
function cleanArray(
  items: readonly unknown[],
  name: string,
  path: string,
  options: CleanOptions,
  warnings: DataWarning[],
): CleanScalar[] {
  const out: CleanScalar[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || item === undefined) continue;
    if (!isScalarLike(item)) {
      addWarning(warnings, path, 'object_in_array', exampleOf(item));
      continue;
    }
    if (out.length === MAX_ARRAY_ITEMS) {
      addWarning(warnings, path, 'truncated', exampleOf(items));
      break;
    }
    const clean = cleanScalar(item, name, path, options, warnings);
    if (clean !== undefined) out.push(clean);
  }
  return out;
}

/**
 * Cleans the value of a key at `level` (1 for a property). Objects open the next level; an object
 * that would open level 4 is dropped with `nested_too_deep`. Recursion never goes past level 3.
 */
function cleanEntry(
  value: unknown,
  name: string,
  path: string,
  level: number,
  options: CleanOptions,
  warnings: DataWarning[],
): CleanValue | undefined {
  if (isScalarLike(value)) return cleanScalar(value, name, path, options, warnings);
  if (Array.isArray(value)) return cleanArray(value, name, path, options, warnings);
  if (level >= MAX_LEVELS) {
    addWarning(warnings, path, 'nested_too_deep', exampleOf(value));
    return undefined;
  }
  return cleanObject(value as Record<string, unknown>, path, level + 1, options, warnings);
}

/** Cleans the keys (at `level`) and values of one object into a `null`-prototype object. */
function cleanObject(
  input: Record<string, unknown>,
  path: string,
  level: number,
  options: CleanOptions,
  warnings: DataWarning[],
): CleanObject {
  const out = Object.create(null) as CleanObject;
  for (const raw of Object.keys(input)) {
    const value = input[raw];
    if (value === undefined) continue;
    const name = resolveName(raw, path, warnings);
    if (name === undefined) continue;
    const clean = cleanEntry(value, name, `${path}.${name}`, level, options, warnings);
    if (clean === undefined) delete out[name];
    else out[name] = clean;
  }
  return out;
}

/**
 * Cleans one property value (level 1); `name` is its normalised name (time names turn Unix
 * seconds into dates) and the warning path. Returns `undefined` for `null` (the caller may unset
 * the property) and `undefined` (nothing to store).
 *
 * @example
 * const options = { valueBytes: 768, now: new Date() };
 * cleanValue('plan', '12', options, [])                      // 12
 * cleanValue('tags', ['992', { a: 1 }], options, warnings)   // [992], one object_in_array warning
 * cleanValue('ok2', { b: { c: 1 } }, options, [])            // { b: { c: 1 } }
 * cleanValue('plan', null, options, [])                      // undefined
 */
export function cleanValue(name: string, value: unknown, options: CleanOptions, warnings: DataWarning[]): CleanValue | undefined {
  return cleanEntry(value, name, name, 1, options, warnings);
}

/**
 * Cleans a whole property bag (the request body minus the identifiers the caller removed):
 * names are normalised, reserved and empty names dropped, values cleaned. When two raw names
 * normalise to the same name, the later one wins (a later `null` removes an earlier value).
 * Top-level `null` values are left out of `props` and listed in `unset`.
 *
 * @example
 * cleanProperties({ userRole: 'admin', $set: 1, Score: '12' }, { valueBytes: 768, now: new Date() })
 * // { props: { user_role: 'admin', score: 12 },
 * //   warnings: [{ prop: 'set', reason: 'reserved_name', example: '$set' }], unset: [] }
 */
export function cleanProperties(input: Record<string, unknown>, options: CleanOptions): CleanResult {
  const props = Object.create(null) as Record<string, CleanValue>;
  const warnings: DataWarning[] = [];
  let unset: Set<string> | undefined;
  if (typeof input !== 'object' || input === null) return { props, warnings, unset: [] };
  for (const raw of Object.keys(input)) {
    const value = input[raw];
    if (value === undefined) continue;
    const name = resolveName(raw, undefined, warnings);
    if (name === undefined) continue;
    const clean = cleanEntry(value, name, name, 1, options, warnings);
    if (clean === undefined) {
      delete props[name];
      if (value === null) (unset ??= new Set()).add(name);
    } else {
      props[name] = clean;
      unset?.delete(name);
    }
  }
  return { props, warnings, unset: unset === undefined ? [] : [...unset] };
}
