/**
 * One event: validate, find or create its user (one round trip), store the event (a second),
 * and note its name in the event-name catalogue (coalesced).
 */
import { ObjectId } from 'mongodb';
import { ChameleonError } from '../errors.js';
import { normalizeName, truncateUtf8 } from '../normalize/index.js';
import { assertIncoming } from './incoming-schemas.js';
import { EVENT_FIXED_NAMES, EVENT_KEYS, ignoredIdWarning, profileIdentity } from './identity.js';
import { propertyChanges, withWarning, type PropertyChanges } from './changes.js';
import { recordWrite } from '../store/records-repo.js';
import { emailChange } from './profiles.js';
import type { IngestDeps } from './deps.js';

const NO_CHANGES: PropertyChanges = { set: {}, unset: [], warnings: [] };

/** Stores one event for its user; returns the event id. */
export async function ingestEvent(account: string, item: Record<string, unknown>, deps: IngestDeps): Promise<{ id: string }> {
  assertIncoming('event', item);
  const displayName = truncateUtf8((item.name as string).trim(), deps.valueBytes).value;
  const uid = normalizeName(displayName);
  if (!uid) throw new ChameleonError('CH_ERR_UNPROCESSABLE', 'The event `name` must contain at least one letter or digit');
  const identity = profileIdentity(account, item, true);
  if (!identity) {
    throw new ChameleonError(
      'CH_ERR_UNPROCESSABLE',
      'No identifier found for the event. Pass your User ID as the `uid` parameter or the Email address as the `email` parameter',
    );
  }
  const now = deps.now();
  const changes = withWarning(propertyChanges(item, { valueBytes: deps.valueBytes, now }, EVENT_KEYS, EVENT_FIXED_NAMES), ignoredIdWarning(item, identity, true));
  const write = recordWrite(account, identity, NO_CHANGES, { email: emailChange(item, identity) ?? undefined }, now, true);
  const profileId = await deps.profiles.upsert(account, write, identity);
  if (!profileId) throw new ChameleonError('CH_ERR_NOT_FOUND', `No profile with id ${String(item.id ?? item.profile_id)}`);
  const id = new ObjectId();
  await deps.events.insertOne({ _id: id, account, profile_id: profileId, name: uid, display_name: displayName, props: changes.set, created_at: now });
  deps.bookkeeper.recordEventName(account, uid, displayName, now);
  deps.bookkeeper.recordProperties(account, 'event', changes.set, now);
  deps.bookkeeper.recordWarnings(account, 'event', changes.warnings, now);
  return { id: id.toHexString() };
}
