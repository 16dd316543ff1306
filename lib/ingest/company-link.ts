/**
 * Links a profile to its company: `company_id` as given, or the company named by
 * `company_uid` (or a nested `company: {uid, …}`), created when missing.
 */
import type { ObjectId } from 'mongodb';
import { ChameleonError } from '../errors.js';
import { COMPANY_FIXED_NAMES, COMPANY_KEYS, linkedCompanyId, linkedCompanyUid } from './identity.js';
import { propertyChanges, type PropertyChanges } from './changes.js';
import { recordWrite } from '../store/records-repo.js';
import { uidKey } from '../store/collections.js';
import type { IngestDeps } from './deps.js';

/** No company properties (the item names its company but sends none of its properties). */
export const NO_COMPANY_CHANGES: PropertyChanges = Object.freeze({ set: {}, unset: [], warnings: [] }) as PropertyChanges;

/** The properties of a nested `company` object, or {@link NO_COMPANY_CHANGES} when the item has none. */
export function nestedCompanyChanges(item: Record<string, unknown>, valueBytes: number, now: Date): PropertyChanges {
  const nested = item.company;
  if (typeof nested !== 'object' || nested === null || Array.isArray(nested)) return NO_COMPANY_CHANGES;
  return propertyChanges(nested as Record<string, unknown>, { valueBytes, now }, COMPANY_KEYS, COMPANY_FIXED_NAMES);
}

/** Resolves (and if needed creates) the company an item links to; `undefined` when none. */
export async function linkCompany(
  account: string,
  item: Record<string, unknown>,
  deps: IngestDeps,
  now: Date,
  createMissing: boolean,
): Promise<ObjectId | undefined> {
  const byId = linkedCompanyId(item);
  if (byId) return byId;
  const uid = linkedCompanyUid(item);
  if (uid === undefined) return undefined;
  const changes = nestedCompanyChanges(item, deps.valueBytes, now);
  const identity = { by: 'uid' as const, uid, filter: { uid_key: uidKey(account, uid) } };
  const id = await deps.companyWrites.submit(recordWrite(account, identity, changes, {}, now, createMissing));
  if (changes !== NO_COMPANY_CHANGES) {
    deps.bookkeeper.recordProperties(account, 'company', changes.set, now);
    deps.bookkeeper.recordWarnings(account, 'company', changes.warnings, now);
  }
  if (!id && createMissing) throw new ChameleonError('CH_ERR_INTERNAL', 'The company could not be stored');
  return id;
}
