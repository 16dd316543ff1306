/**
 * Events: validate, find or create the user (one round trip), store the event (a second), and
 * note its name in the event-name catalogue (coalesced). `prepareEvent` is the pure part, shared
 * with the bulk path (`ingestEvents`: one bulk write for the users and one for the events,
 * however many events, as the Customer.io reports use it).
 */
import { ObjectId } from 'mongodb';
import { ChameleonError } from '../errors.js';
import { normalizeName, truncateUtf8 } from '../normalize/index.js';
import { assertIncoming } from './incoming-schemas.js';
import { assertPropertyCount } from './property-count.js';
import { EVENT_FIXED_NAMES, EVENT_KEYS, ignoredIdWarning, profileIdentity } from './identity.js';
import { propertyChanges, withWarning, type PropertyChanges } from './changes.js';
import { recordWrite, type RecordWrite } from '../store/records-repo.js';
import type { EventDoc } from '../store/documents.js';
import { emailChange } from './profiles.js';
import type { IngestDeps } from './deps.js';

const NO_CHANGES: PropertyChanges = { set: {}, unset: [], warnings: [] };

/** An event ready to store: the write that finds or creates its user, and the event itself. */
export interface PreparedEvent {
  /** Finds (or creates) the user. */
  user: RecordWrite;
  /** The event, but for its user's id. */
  event: Omit<EventDoc, 'profile_id'>;
  changes: PropertyChanges;
}

/**
 * Validates and cleans one event (no I/O).
 * @throws ChameleonError `422` for an invalid body, a name with no letter or digit, or no identifier.
 */
export function prepareEvent(account: string, item: Record<string, unknown>, deps: Pick<IngestDeps, 'valueBytes' | 'propertiesPerItem'>, now: Date, eventId = new ObjectId()): PreparedEvent {
  assertIncoming('event', item);
  assertPropertyCount(item, deps.propertiesPerItem, 'the event');
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
  const changes = withWarning(propertyChanges(item, { valueBytes: deps.valueBytes, now }, EVENT_KEYS, EVENT_FIXED_NAMES), ignoredIdWarning(item, identity, true));
  const user = recordWrite(account, identity, NO_CHANGES, { email: emailChange(item, identity) ?? undefined }, now, true);
  return { user, event: { _id: eventId, account, name: uid, display_name: displayName, props: changes.set, created_at: now }, changes };
}

/** Notes a stored event in the catalogues (coalesced). */
function recordBookkeeping(deps: IngestDeps, prepared: PreparedEvent): void {
  const { account, name, display_name: displayName, created_at: now } = prepared.event;
  deps.bookkeeper.recordEventName(account, name, displayName, now);
  deps.bookkeeper.recordProperties(account, 'event', prepared.changes.set, now);
  deps.bookkeeper.recordWarnings(account, 'event', prepared.changes.warnings, now);
}

/**
 * Stores one event for its user; returns the event id. `eventId` makes the write idempotent
 * (a caller that may process the same input twice, such as a Customer.io report, passes the
 * same id each time: the second insert changes nothing).
 */
export async function ingestEvent(account: string, item: Record<string, unknown>, deps: IngestDeps, eventId?: ObjectId): Promise<{ id: string }> {
  const prepared = prepareEvent(account, item, deps, deps.now(), eventId);
  const profileId = await deps.profileWrites.submit(prepared.user);
  if (!profileId) throw new ChameleonError('CH_ERR_NOT_FOUND', `No profile with id ${String(item.id ?? item.profile_id)}`);
  const id = prepared.event._id;
  await deps.events.insert({ ...prepared.event, profile_id: profileId }, eventId !== undefined);
  recordBookkeeping(deps, prepared);
  return { id: id.toHexString() };
}

/**
 * Stores many prepared events (of one account or several) in two bulk writes: their users are
 * found or created in order, then the events inserted, unordered. An event whose id is already
 * stored is skipped (idempotent). Returns the error of each event that could not be stored, by
 * its index in `events`.
 */
export async function ingestEvents(events: readonly PreparedEvent[], deps: IngestDeps): Promise<Map<number, unknown>> {
  const failures = await deps.profiles.bulk(events.map((e) => e.user));
  const ids = await deps.profiles.idsFor(events.map((e, i) => (failures.has(i) ? undefined : e.user)));
  const docs: EventDoc[] = [];
  const positions: number[] = [];
  events.forEach((prepared, i) => {
    if (failures.has(i)) return;
    const profileId = ids[i];
    if (!profileId) {
      failures.set(i, new ChameleonError('CH_ERR_NOT_FOUND', `No profile with id ${prepared.user.identity.by === 'id' ? prepared.user.identity.id.toHexString() : '(given)'}`));
      return;
    }
    docs.push({ ...prepared.event, profile_id: profileId });
    positions.push(i);
  });
  for (const [index, error] of await deps.events.insertMany(docs)) failures.set(positions[index]!, error);
  events.forEach((prepared, i) => {
    if (!failures.has(i)) recordBookkeeping(deps, prepared);
  });
  return failures;
}
