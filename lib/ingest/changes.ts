/**
 * Turns an incoming item into the property changes to store: custom keys are normalised and
 * cleaned (lib/normalize), identifier keys are left to the caller, `null` unsets a property.
 */
import { cleanProperties, exampleOf, isReservedRawName, normalizeName, type DataWarning } from '../normalize/index.js';
import type { PropertyChanges } from '../store/record-changes.js';

// Defined with the records they change (the store never imports ingest).
export { propsUpdate, type PropertyChanges } from '../store/record-changes.js';

/**
 * Splits `item` into property changes, skipping the exact `skip` keys (identifiers and the like).
 * A custom key that normalises to one of the `fixed` names (`Email`, `UID`, `accountSecret`…)
 * is dropped with a `reserved_name` warning: stored, it would hide behind the record's own
 * field of that name when read back, or keep a secret as data.
 *
 * Colliding names follow the one rule of `cleanProperties`: when several keys normalise to the
 * same name, the last one in the body wins, and a last `null` removes the property
 * (`{"userRole":"admin","user_role":null}` removes `user_role`; the other order sets it).
 */
export function propertyChanges(
  item: Record<string, unknown>,
  options: { valueBytes: number; now: Date },
  skip: ReadonlySet<string>,
  fixed: ReadonlySet<string> = NO_NAMES,
): PropertyChanges {
  // No prototype: a `__proto__` key is an ordinary own property here (plain assignment, no
  // defineProperty per key on the hot path); the cleaner drops it.
  const custom = Object.create(null) as Record<string, unknown>;
  const shadowed: DataWarning[] = [];
  for (const key of Object.keys(item)) {
    if (skip.has(key)) continue;
    if (fixed.size > 0 && !isReservedRawName(key)) {
      const name = normalizeName(key);
      if (name !== '' && fixed.has(name)) {
        shadowed.push({ prop: name, reason: 'reserved_name', example: exampleOf(key) });
        continue;
      }
    }
    custom[key] = item[key];
  }
  const { props, warnings, unset } = cleanProperties(custom, options);
  return { set: props, unset: unset ?? [], warnings: shadowed.length > 0 ? [...shadowed, ...warnings] : warnings };
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** `changes` with one more warning first (when there is one); `changes` itself otherwise. */
export function withWarning(changes: PropertyChanges, warning: DataWarning | undefined): PropertyChanges {
  return warning === undefined ? changes : { ...changes, warnings: [warning, ...changes.warnings] };
}
