/**
 * One company update: validate, identify, clean and upsert in one round trip.
 */
import { ChameleonError } from '../errors.js';
import { assertIncoming } from './incoming-schemas.js';
import { assertPropertyCount } from './property-count.js';
import { COMPANY_FIXED_NAMES, COMPANY_KEYS, companyIdentity, ignoredIdWarning } from './identity.js';
import { propertyChanges, withWarning } from './changes.js';
import { recordWrite } from '../store/records-repo.js';
import { ordinal } from './profiles.js';
import type { IngestDeps } from './deps.js';

/** The message of a company without identifier (SPEC §3). */
export function noCompanyIdentifierMessage(index?: number): string {
  const which = index === undefined ? 'the company' : `the ${ordinal(index + 1)} item`;
  return `No identifier found for ${which}. Pass your Company ID as the \`uid\` parameter`;
}

/** Creates or updates one company; returns its id. */
export async function ingestCompany(account: string, item: Record<string, unknown>, deps: IngestDeps): Promise<{ id: string }> {
  assertIncoming('company', item);
  assertPropertyCount(item, deps.propertiesPerItem, 'the company');
  const identity = companyIdentity(account, item);
  if (!identity) throw new ChameleonError('CH_ERR_UNPROCESSABLE', noCompanyIdentifierMessage());
  const now = deps.now();
  const changes = withWarning(propertyChanges(item, { valueBytes: deps.valueBytes, now }, COMPANY_KEYS, COMPANY_FIXED_NAMES), ignoredIdWarning(item, identity));
  const id = await deps.companyWrites.submit(recordWrite(account, identity, changes, {}, now, true));
  if (!id) throw new ChameleonError('CH_ERR_NOT_FOUND', `No company with id ${item.id as string}`);
  deps.bookkeeper.recordProperties(account, 'company', changes.set, now);
  deps.bookkeeper.recordWarnings(account, 'company', changes.warnings, now);
  return { id: id.toHexString() };
}
