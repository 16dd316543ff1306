/**
 * Batch items of profiles or companies: the per-item checks made when a batch is received
 * (object, schema, identifier, ids that name no record), and the application of one chunk of
 * items in order (one ordered `bulkWrite`, plus one for the companies the chunk's profiles
 * name). Applying a chunk again gives the same records: every write is an upsert by a unique
 * key or an update by `_id`, so a chunk interrupted by a crash can simply be applied again.
 */
import type { Document } from 'mongodb';
import { ChameleonError } from '../errors.js';
import { incomingProblems } from './incoming-schemas.js';
import { assertPropertyCount } from './property-count.js';
import { COMPANY_FIXED_NAMES, COMPANY_KEYS, PROFILE_FIXED_NAMES, PROFILE_KEYS, companyIdentity, ignoredIdWarning, linkedCompanyId, linkedCompanyUid, profileIdentity, unlinksCompany, type Identity } from './identity.js';
import { propertyChanges, withWarning, type PropertyChanges } from './changes.js';
import { NO_COMPANY_CHANGES, nestedCompanyChanges } from './company-link.js';
import { recordWrite, type RecordWrite } from '../store/records-repo.js';
import { uidKey } from '../store/collections.js';
import { emailChange, noProfileIdentifierMessage, ordinal } from './profiles.js';
import { noCompanyIdentifierMessage } from './companies.js';
import type { IngestDeps } from './deps.js';
import type { BatchItemError, BatchKind } from '../batches/documents.js';

interface PreparedItem {
  index: number;
  write: RecordWrite;
  /** The uid of the company a profile links to (when it names no `company_id`). */
  companyUid?: string;
  /** Properties of a nested `company: {uid, …}` object, stored on that company. */
  companyChanges?: PropertyChanges;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function identityOf(kind: BatchKind, account: string, item: Record<string, unknown>): Identity | undefined {
  return kind === 'profile' ? profileIdentity(account, item) : companyIdentity(account, item);
}

/**
 * Checks one received item: an object that satisfies its schema, has at most
 * `propertiesPerItem` keys (nested ones included) and carries an identifier.
 * Returns its identity, or the item's `422` error.
 */
export function checkBatchItem(
  kind: BatchKind,
  account: string,
  item: unknown,
  index: number,
  propertiesPerItem = Number.POSITIVE_INFINITY,
): { identity: Identity } | { error: BatchItemError } {
  const fail = (message: string) => ({ error: { code: 422, index, message } });
  if (!isObject(item)) return fail(`The ${ordinal(index + 1)} item is not an object`);
  const problems = incomingProblems(kind, item);
  if (problems.length > 0) return fail(`The ${ordinal(index + 1)} item is invalid: ${problems[0]}`);
  try {
    assertPropertyCount(item, propertiesPerItem, `the ${ordinal(index + 1)} item`);
  } catch (error) {
    return fail((error as ChameleonError).messages[0]!);
  }
  const identity = identityOf(kind, account, item);
  if (!identity) return fail(kind === 'profile' ? noProfileIdentifierMessage(index) : noCompanyIdentifierMessage(index));
  return { identity };
}

/** The `404` of an item whose `id` names no record of the account, as a single request would answer. */
export function unknownIdError(kind: BatchKind, id: string, index: number): BatchItemError {
  return { code: 404, index, message: `No ${kind} with id ${id} (the ${ordinal(index + 1)} item)` };
}

/**
 * Applies one chunk of checked items (`null` marks an item skipped when it was received; the
 * item at position `i` is the request's item `start + i`), in order, and returns the errors
 * found while writing (an email that belongs to another profile), in item order.
 */
export async function applyBatchChunk(
  kind: BatchKind,
  account: string,
  items: readonly unknown[],
  start: number,
  deps: IngestDeps,
  createMissing: boolean,
): Promise<BatchItemError[]> {
  const errors: BatchItemError[] = [];
  const repo = kind === 'profile' ? deps.profiles : deps.companies;
  const prepared = prepareChunk(kind, account, items, start, deps, createMissing);
  if (kind === 'profile') await linkChunkCompanies(account, prepared, deps, createMissing);
  const failures = await repo.bulk(prepared.map((p) => p.write));
  for (const [position, error] of failures) {
    const item = prepared[position]!;
    const message = error instanceof ChameleonError ? error.messages[0]! : `The ${ordinal(item.index + 1)} item could not be stored: it conflicts with another record (duplicate uid or email)`;
    errors.push({ code: 422, index: item.index, message });
  }
  return errors.sort((a, b) => a.index - b.index);
}

function prepareChunk(kind: BatchKind, account: string, items: readonly unknown[], start: number, deps: IngestDeps, createMissing: boolean): PreparedItem[] {
  const now = deps.now();
  const prepared: PreparedItem[] = [];
  items.forEach((item, offset) => {
    if (!isObject(item)) return; // skipped when received (its error is already recorded)
    const identity = identityOf(kind, account, item);
    if (!identity) return;
    const changes = withWarning(
      kind === 'profile'
        ? propertyChanges(item, { valueBytes: deps.valueBytes, now }, PROFILE_KEYS, PROFILE_FIXED_NAMES)
        : propertyChanges(item, { valueBytes: deps.valueBytes, now }, COMPANY_KEYS, COMPANY_FIXED_NAMES),
      ignoredIdWarning(item, identity),
    );
    const extras = kind === 'profile' ? { email: emailChange(item, identity), companyId: unlinksCompany(item) ? null : linkedCompanyId(item) } : {};
    const companyUid = kind === 'profile' && !extras.companyId ? linkedCompanyUid(item) : undefined;
    const companyChanges = companyUid === undefined ? undefined : nestedCompanyChanges(item, deps.valueBytes, now);
    prepared.push({ index: start + offset, write: recordWrite(account, identity, changes, extras, now, createMissing), companyUid, companyChanges });
    deps.bookkeeper.recordProperties(account, kind, changes.set, now);
    deps.bookkeeper.recordWarnings(account, kind, changes.warnings, now);
    if (companyChanges && companyChanges !== NO_COMPANY_CHANGES) {
      deps.bookkeeper.recordProperties(account, 'company', companyChanges.set, now);
      deps.bookkeeper.recordWarnings(account, 'company', companyChanges.warnings, now);
    }
  });
  return prepared;
}

/**
 * Upserts the companies a chunk's profiles name by uid (one ordered bulk write: each company is
 * written once, plus once more for each item whose nested `company` object carries properties,
 * in item order) and links them, as a single request would.
 */
async function linkChunkCompanies(account: string, prepared: PreparedItem[], deps: IngestDeps, createMissing: boolean): Promise<void> {
  const uids = new Set<string>();
  const writes: RecordWrite[] = [];
  const now = deps.now();
  for (const item of prepared) {
    const uid = item.companyUid;
    if (uid === undefined) continue;
    const changes = item.companyChanges ?? NO_COMPANY_CHANGES;
    const hasProperties = Object.keys(changes.set).length > 0 || changes.unset.length > 0;
    if (hasProperties || !uids.has(uid)) {
      writes.push(recordWrite(account, { by: 'uid', uid, filter: { uid_key: uidKey(account, uid) } }, changes, {}, now, createMissing));
    }
    uids.add(uid);
  }
  if (uids.size === 0) return;
  await deps.companies.bulk(writes);
  const ids = await deps.companies.idsByUid(account, [...uids]);
  for (const item of prepared) {
    const companyId = item.companyUid === undefined ? undefined : ids.get(item.companyUid);
    if (companyId) ((item.write.update as { $set: Document }).$set).company_id = companyId;
  }
}
