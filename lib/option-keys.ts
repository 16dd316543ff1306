/**
 * Unknown option keys: a typo such as `delivery.timeoutMS` would otherwise be ignored in
 * silence (and the default used), so every options object is checked against the keys the
 * package knows, and the first unknown one throws an `InvalidOptionError` naming it (with the
 * known key it most likely meant).
 */
import { InvalidOptionError } from './errors.js';

/** The top-level option keys (add a new option here and to `Options`; a test checks that they match `Config`'s). */
export const TOP_LEVEL_KEYS: readonly string[] = Object.freeze([
  'mongo',
  'collectionPrefix',
  'accounts',
  'limits',
  'delivery',
  'agenda',
  'logger',
  'flushIntervalMs',
  'rateLimit',
  'secretsKey',
  'metrics',
  'customerio',
  'batches',
]);

/** The keys of a static account. */
export const ACCOUNT_KEYS: readonly string[] = Object.freeze(['id', 'name', 'domain', 'secret', 'webhookSecret']);

/** The keys of `mongo`. */
export const MONGO_KEYS: readonly string[] = Object.freeze(['uri', 'client', 'db', 'dbName']);

/** The known key `key` most likely meant: the same letters in another case, or `undefined`. */
function suggestion(key: string, known: readonly string[]): string | undefined {
  const folded = key.toLowerCase().replace(/[_-]/g, '');
  return known.find((k) => k.toLowerCase().replace(/[_-]/g, '') === folded);
}

/**
 * Throws an `InvalidOptionError` for the first own key of `value` that is not in `known`;
 * `path` is where `value` sits (`'delivery'`, or `''` at the top level). Keys whose value is
 * `undefined` are ignored, as everywhere in the options.
 *
 * @example
 * assertKnownKeys({ timeoutMS: 5 }, ['timeoutMs'], 'delivery')
 * // throws InvalidOptionError: Invalid option `delivery.timeoutMS`: unknown option (did you mean `delivery.timeoutMs`?)
 */
export function assertKnownKeys(value: object, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key) || (value as Record<string, unknown>)[key] === undefined) continue;
    const at = path === '' ? key : `${path}.${key}`;
    const meant = suggestion(key, known);
    const hint = meant === undefined ? `known: ${known.join(', ')}` : `did you mean \`${path === '' ? meant : `${path}.${meant}`}\`?`;
    throw new InvalidOptionError(at, `unknown option (${hint})`);
  }
}
