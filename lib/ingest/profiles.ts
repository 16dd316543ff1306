/**
 * One profile update: validate, identify, clean, link the company, upsert (one round trip
 * when no company is named), and note the bookkeeping for the next flush.
 */
import { ChameleonError } from '../errors.js';
import { assertIncoming } from './incoming-schemas.js';
import { assertPropertyCount } from './property-count.js';
import { PROFILE_FIXED_NAMES, PROFILE_KEYS, ignoredIdWarning, profileIdentity, unlinksCompany, type Identity } from './identity.js';
import { propertyChanges, withWarning } from './changes.js';
import { linkCompany } from './company-link.js';
import { recordWrite, type RecordExtras } from '../store/records-repo.js';
import type { IngestDeps } from './deps.js';

/** The message of a profile without identifier (SPEC §3), for the item at `index` or a single request. */
export function noProfileIdentifierMessage(index?: number): string {
  const which = index === undefined ? 'the profile' : `the ${ordinal(index + 1)} item`;
  return `No identifier found for ${which}. Pass your User ID as the \`uid\` parameter or the Email address as the \`email\` parameter`;
}

/** `1st`, `2nd`, `3rd`, `4th`, `11th`, `4430th`… */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th'}`;
}

/** The email change an item makes: set, remove (`null`), or leave alone. */
export function emailChange(item: Record<string, unknown>, identity: Identity): RecordExtras['email'] {
  if (identity.by === 'email') return identity.email;
  if (item.email === null) return null;
  return typeof item.email === 'string' ? item.email.trim() : undefined;
}

/** Creates or updates one profile; returns its id. */
export async function ingestProfile(account: string, item: Record<string, unknown>, deps: IngestDeps): Promise<{ id: string }> {
  assertIncoming('profile', item);
  assertPropertyCount(item, deps.propertiesPerItem, 'the profile');
  const identity = profileIdentity(account, item);
  if (!identity) throw new ChameleonError('CH_ERR_UNPROCESSABLE', noProfileIdentifierMessage());
  const now = deps.now();
  const changes = withWarning(propertyChanges(item, { valueBytes: deps.valueBytes, now }, PROFILE_KEYS, PROFILE_FIXED_NAMES), ignoredIdWarning(item, identity));
  const companyId = unlinksCompany(item) ? null : await linkCompany(account, item, deps, now, true);
  const write = recordWrite(account, identity, changes, { email: emailChange(item, identity), companyId }, now, true);
  const id = await deps.profileWrites.submit(write);
  if (!id) throw new ChameleonError('CH_ERR_NOT_FOUND', `No profile with id ${item.id as string}`);
  deps.bookkeeper.recordProperties(account, 'profile', changes.set, now);
  deps.bookkeeper.recordWarnings(account, 'profile', changes.warnings, now);
  return { id: id.toHexString() };
}
