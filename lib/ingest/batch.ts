/**
 * Batches of profiles or companies: items are processed in order, in chunks written with one
 * ordered `bulkWrite` each (plus one for the companies a chunk's profiles name), so memory
 * stays bounded however many items a 16 MiB body holds. A bad item is reported in `errors`
 * and never stops the batch.
 */
import { ObjectId, type Document } from 'mongodb';
import { ChameleonError } from '../errors.js';
import { assertIncoming, incomingProblems } from './incoming-schemas.js';
import { COMPANY_FIXED_NAMES, COMPANY_KEYS, PROFILE_FIXED_NAMES, PROFILE_KEYS, companyIdentity, ignoredIdWarning, linkedCompanyId, linkedCompanyUid, profileIdentity, unlinksCompany } from './identity.js';
import { propertyChanges, withWarning, type PropertyChanges } from './changes.js';
import { NO_COMPANY_CHANGES, nestedCompanyChanges } from './company-link.js';
import { recordWrite, type RecordWrite } from '../store/records-repo.js';
import { uidKey } from '../store/collections.js';
import { emailChange, noProfileIdentifierMessage, ordinal } from './profiles.js';
import { noCompanyIdentifierMessage } from './companies.js';
import type { IngestDeps } from './deps.js';
import type { ModelKind } from '../catalogue/bookkeeper.js';

/** One item's error in a batch answer. */
export interface BatchItemError {
  code: number;
  index: number;
  message: string;
}

/** The answer to a batch. */
export interface BatchResult {
  batch: { id: string };
  errors: BatchItemError[];
  /** How many errors there were in all (`errors` lists at most {@link MAX_LISTED_ERRORS}). */
  errors_count: number;
}

/** Items written per `bulkWrite`. */
export const CHUNK_SIZE = 1000;
/** Errors listed in the answer; the rest are counted. */
export const MAX_LISTED_ERRORS = 1000;

type BatchKind = 'profile' | 'company';

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

/** Processes a whole batch body for `kind`. */
export async function ingestBatch(kind: BatchKind, account: string, body: Record<string, unknown>, deps: IngestDeps): Promise<BatchResult> {
  assertIncoming(kind === 'profile' ? 'profiles-batch' : 'companies-batch', body);
  const items = body[kind === 'profile' ? 'profiles' : 'companies'] as unknown[];
  const createMissing = body.on_model_missing !== 'ignore';
  const errors: BatchItemError[] = [];
  let errorsCount = 0;
  for (let start = 0; start < items.length; start += CHUNK_SIZE) {
    const chunk = items.slice(start, start + CHUNK_SIZE);
    // Let a large batch be collected as it goes: the parsed items of a written chunk are not needed again.
    items.fill(null, start, start + CHUNK_SIZE);
    const chunkErrors: BatchItemError[] = [];
    const fail = (index: number, message: string, code = 422): void => {
      chunkErrors.push({ code, index, message });
    };
    const repo = kind === 'profile' ? deps.profiles : deps.companies;
    let prepared = prepareChunk(kind, account, chunk, start, deps, createMissing, fail);
    if (createMissing) prepared = await withoutUnknownIds(kind, account, prepared, repo, fail);
    if (kind === 'profile') await linkChunkCompanies(account, prepared, deps, createMissing);
    const failures = await repo.bulk(prepared.map((p) => p.write));
    for (const [position, error] of failures) {
      const item = prepared[position]!;
      fail(item.index, error instanceof ChameleonError ? error.messages[0]! : `The ${ordinal(item.index + 1)} item could not be stored: it conflicts with another record (duplicate uid or email)`);
    }
    // Errors are listed in item order, whichever stage found them.
    chunkErrors.sort((a, b) => a.index - b.index);
    errorsCount += chunkErrors.length;
    for (const e of chunkErrors) if (errors.length < MAX_LISTED_ERRORS) errors.push(e);
  }
  const id = new ObjectId();
  await deps.batches.insertOne({
    _id: id,
    account,
    kind,
    items: items.length,
    errors_count: errorsCount,
    on_model_missing: createMissing ? 'create' : 'ignore',
    created_at: deps.now(),
  });
  return { batch: { id: id.toHexString() }, errors, errors_count: errorsCount };
}

/**
 * Drops the items identified by an `id` that names no record of this account, reporting each
 * as a `404` like a single request would (one query, only when the chunk has such items).
 * With `on_model_missing: "ignore"` they are skipped silently instead, like any missing record.
 */
async function withoutUnknownIds(
  kind: BatchKind,
  account: string,
  prepared: PreparedItem[],
  repo: IngestDeps['profiles'],
  fail: (index: number, message: string, code?: number) => void,
): Promise<PreparedItem[]> {
  const ids = prepared.flatMap((p) => (p.write.identity.by === 'id' ? [p.write.identity.id] : []));
  if (ids.length === 0) return prepared;
  const existing = await repo.existingIds(account, ids);
  return prepared.filter((p) => {
    const identity = p.write.identity;
    if (identity.by !== 'id' || existing.has(identity.id.toHexString())) return true;
    fail(p.index, `No ${kind} with id ${identity.id.toHexString()} (the ${ordinal(p.index + 1)} item)`, 404);
    return false;
  });
}

function prepareChunk(
  kind: BatchKind,
  account: string,
  chunk: unknown[],
  start: number,
  deps: IngestDeps,
  createMissing: boolean,
  fail: (index: number, message: string) => void,
): PreparedItem[] {
  const now = deps.now();
  const model: ModelKind = kind;
  const prepared: PreparedItem[] = [];
  chunk.forEach((item, offset) => {
    const index = start + offset;
    if (!isObject(item)) {
      fail(index, `The ${ordinal(index + 1)} item is not an object`);
      return;
    }
    const problems = incomingProblems(kind, item);
    if (problems.length > 0) {
      fail(index, `The ${ordinal(index + 1)} item is invalid: ${problems[0]}`);
      return;
    }
    const identity = kind === 'profile' ? profileIdentity(account, item) : companyIdentity(account, item);
    if (!identity) {
      fail(index, kind === 'profile' ? noProfileIdentifierMessage(index) : noCompanyIdentifierMessage(index));
      return;
    }
    const changes = withWarning(
      kind === 'profile'
        ? propertyChanges(item, { valueBytes: deps.valueBytes, now }, PROFILE_KEYS, PROFILE_FIXED_NAMES)
        : propertyChanges(item, { valueBytes: deps.valueBytes, now }, COMPANY_KEYS, COMPANY_FIXED_NAMES),
      ignoredIdWarning(item, identity),
    );
    const extras = kind === 'profile' ? { email: emailChange(item, identity), companyId: unlinksCompany(item) ? null : linkedCompanyId(item) } : {};
    const companyUid = kind === 'profile' && !extras.companyId ? linkedCompanyUid(item) : undefined;
    const companyChanges = companyUid === undefined ? undefined : nestedCompanyChanges(item, deps.valueBytes, now);
    prepared.push({ index, write: recordWrite(account, identity, changes, extras, now, createMissing), companyUid, companyChanges });
    deps.bookkeeper.recordProperties(account, model, changes.set, now);
    deps.bookkeeper.recordWarnings(account, model, changes.warnings, now);
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
