/**
 * Turns an incoming item into the property changes to store: custom keys are normalised and
 * cleaned (lib/normalize), identifier keys are left to the caller, `null` unsets a property.
 */
import { cleanProperties, isReservedName, isReservedRawName, normalizeName, type CleanValue, type DataWarning } from '../normalize/index.js';

/** What an item changes on its record. */
export interface PropertyChanges {
  /** Cleaned properties to set, by normalised name. */
  set: Record<string, CleanValue>;
  /** Normalised names to remove (sent as `null`). */
  unset: string[];
  /** Data warnings produced while cleaning. */
  warnings: DataWarning[];
}

/** Splits `item` into property changes, skipping `skip` keys (identifiers and the like). */
export function propertyChanges(
  item: Record<string, unknown>,
  options: { valueBytes: number; now: Date },
  skip: ReadonlySet<string>,
): PropertyChanges {
  const custom: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const key of Object.keys(item)) {
    if (skip.has(key)) continue;
    const value = item[key];
    if (value === null) {
      // Reserved names are never stored, so they never unset anything either (`__proto__: null` is not `proto`).
      const name = isReservedRawName(key) ? '' : normalizeName(key);
      if (name && !isReservedName(name)) unset.push(name);
      continue;
    }
    // Own-property definition: a `__proto__` key stays data here; the cleaner drops it.
    Object.defineProperty(custom, key, { value, enumerable: true, configurable: true, writable: true });
  }
  const { props, warnings } = cleanProperties(custom, options);
  return { set: props, unset: unset.filter((name) => !(name in props)), warnings };
}

/** `$set`/`$unset` documents for property changes stored under `props.`. */
export function propsUpdate(changes: PropertyChanges): { $set: Record<string, unknown>; $unset?: Record<string, ''> } {
  const $set: Record<string, unknown> = {};
  for (const name of Object.keys(changes.set)) $set[`props.${name}`] = changes.set[name];
  if (changes.unset.length === 0) return { $set };
  const $unset: Record<string, ''> = {};
  for (const name of changes.unset) $unset[`props.${name}`] = '';
  return { $set, $unset };
}
