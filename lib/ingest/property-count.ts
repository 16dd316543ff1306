/**
 * `limits.propertiesPerItem`: an item with more keys than that (counting the keys of nested
 * objects, which are stored too) is refused before any cleaning, so the work one item can cost
 * is bounded. Counting stops at the first key over the limit.
 */
import { ChameleonError } from '../errors.js';
import { MAX_LEVELS } from '../normalize/rules.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Keys of `value` and of its nested objects down to the last stored level, counting no further than `budget`. */
function countKeys(value: Record<string, unknown>, level: number, budget: number): number {
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++count > budget) return count;
    const child = value[key];
    if (level < MAX_LEVELS && isObject(child)) {
      count += countKeys(child, level + 1, budget - count);
      if (count > budget) return count;
    }
  }
  return count;
}

/**
 * Throws a `422` naming the limit when `item` has more than `limit` keys, nested ones included.
 * `which` names the item in the message (`the profile`, `the 3rd item`).
 *
 * @example
 * assertPropertyCount({ uid: '1', plan: 'gold' }, 1000, 'the profile') // fine
 */
export function assertPropertyCount(item: Record<string, unknown>, limit: number, which: string): void {
  if (countKeys(item, 1, limit) > limit) {
    throw new ChameleonError('CH_ERR_UNPROCESSABLE', `Too many properties in ${which}: at most ${limit} keys are accepted per item (limits.propertiesPerItem)`, { limit });
  }
}
