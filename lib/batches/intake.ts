/**
 * Receiving a batch: every item is checked (object, schema, identifier, an `id` that names a
 * record of the account), the items that pass are recorded in chunks, then the batch record;
 * the answer lists the errors found so far. Applying the chunks is the worker's job.
 */
import { ObjectId } from 'mongodb';
import { assertIncoming } from '../ingest/incoming-schemas.js';
import { checkBatchItem, unknownIdError } from '../ingest/batch.js';
import { ordinal } from '../ingest/profiles.js';
import type { RecordsRepo } from '../store/records-repo.js';
import type { BatchesRepo } from './batches-repo.js';
import { MAX_LISTED_ERRORS, chunkId, type BatchChunkDoc, type BatchDoc, type BatchItemError, type BatchKind } from './documents.js';

/** The answer to a batch: `202 {batch: {id}, errors, errors_count}`. */
export interface BatchAnswer {
  batch: { id: string };
  /** Errors found while checking the items (at most {@link MAX_LISTED_ERRORS}). */
  errors: BatchItemError[];
  /** How many items were refused while checking them. */
  errors_count: number;
}

const MIB = 1024 * 1024;
/** Items per chunk at most. */
export const CHUNK_ITEMS = 1000;
/**
 * JSON characters per chunk at most (at most 3 bytes each in UTF-8, so 12 MiB: a MongoDB
 * document holds 16 MiB); a chunk closes before the item that would go past it.
 */
export const CHUNK_CHARS = 4 * MIB;
/** The largest item (UTF-8 bytes of its JSON) a chunk can hold, with room for the rest of the document. */
export const MAX_ITEM_BYTES = 15 * MIB;
/** Chunk characters written per `insertMany`. */
const WRITE_GROUP_CHARS = 8 * MIB;

/** An item's JSON, or `undefined` when it is nested too deeply to serialise (the stack runs out). */
function stringifyItem(item: unknown): string | undefined {
  try {
    return JSON.stringify(item);
  } catch {
    return undefined;
  }
}

/** What receiving needs. */
export interface IntakeDeps {
  repo: BatchesRepo;
  /** The records of the batch's kind, to check `id`s. */
  records: RecordsRepo;
  now: () => Date;
  /** Keys accepted per item (`limits.propertiesPerItem`). */
  propertiesPerItem: number;
}

/** Checks and records a batch body; resolves once it is durably stored. */
export async function receiveBatch(kind: BatchKind, account: string, body: Record<string, unknown>, deps: IntakeDeps): Promise<{ answer: BatchAnswer; doc: BatchDoc }> {
  assertIncoming(kind === 'profile' ? 'profiles-batch' : 'companies-batch', body);
  const items = body[kind === 'profile' ? 'profiles' : 'companies'] as unknown[];
  const createMissing = body.on_model_missing !== 'ignore';
  const id = new ObjectId();
  const now = deps.now();
  const errors: BatchItemError[] = [];
  let errorsCount = 0;
  const fail = (error: BatchItemError): void => {
    errorsCount += 1;
    if (errors.length < MAX_LISTED_ERRORS) errors.push(error);
  };

  const pending: BatchChunkDoc[] = [];
  let pendingBytes = 0;
  let chunks = 0;
  let parts: string[] = [];
  let partsBytes = 0;
  let partsStart = 0;
  const closeChunk = async (): Promise<void> => {
    if (parts.length === 0) return;
    const items = `[${parts.join(',')}]`;
    pending.push({ _id: chunkId(id, chunks), batch_id: id, n: chunks, start: partsStart, count: parts.length, items, created_at: now });
    chunks += 1;
    pendingBytes += items.length;
    partsStart += parts.length;
    parts = [];
    partsBytes = 0;
    if (pendingBytes >= WRITE_GROUP_CHARS) await flush();
  };
  const flush = async (): Promise<void> => {
    await deps.repo.insertChunks(pending.splice(0));
    pendingBytes = 0;
  };

  for (let start = 0; start < items.length; start += CHUNK_ITEMS) {
    const end = Math.min(items.length, start + CHUNK_ITEMS);
    const ok = new Array<boolean>(end - start);
    const idItems = new Map<string, number[]>();
    for (let index = start; index < end; index++) {
      const checked = checkBatchItem(kind, account, items[index], index, deps.propertiesPerItem);
      if ('error' in checked) {
        fail(checked.error);
        ok[index - start] = false;
        continue;
      }
      ok[index - start] = true;
      if (checked.identity.by === 'id' && createMissing) {
        const hex = checked.identity.id.toHexString();
        idItems.set(hex, [...(idItems.get(hex) ?? []), index]);
      }
    }
    if (idItems.size > 0) {
      // One query per chunk that has such items: an id that names no record of the account is a 404, as in a single request.
      const existing = await deps.records.existingIds(account, [...idItems.keys()].map((hex) => new ObjectId(hex)));
      const unknown: BatchItemError[] = [];
      for (const [hex, indexes] of idItems) {
        if (existing.has(hex)) continue;
        for (const index of indexes) {
          ok[index - start] = false;
          unknown.push(unknownIdError(kind, hex, index));
        }
      }
      for (const e of unknown.sort((a, b) => a.index - b.index)) fail(e);
    }
    for (let index = start; index < end; index++) {
      let json = ok[index - start] ? stringifyItem(items[index]) : 'null';
      if (json === undefined) {
        fail({ code: 422, index, message: `The ${ordinal(index + 1)} item is nested too deeply to be stored` });
        json = 'null';
      }
      // Characters, not bytes: only an item that might be too large once UTF-8-encoded is measured.
      if (json.length * 3 > MAX_ITEM_BYTES && Buffer.byteLength(json) > MAX_ITEM_BYTES) {
        fail({ code: 413, index, message: `The ${ordinal(index + 1)} item is larger than ${MAX_ITEM_BYTES / MIB} MiB` });
        json = 'null';
      }
      if (parts.length > 0 && (parts.length >= CHUNK_ITEMS || partsBytes + json.length > CHUNK_CHARS)) await closeChunk();
      parts.push(json);
      partsBytes += json.length + 1;
    }
    // Let a large batch be collected as it is recorded: the parsed items are not needed again.
    items.fill(null, start, end);
  }
  await closeChunk();
  await flush();
  errors.sort((a, b) => a.index - b.index);
  const doc: BatchDoc = {
    _id: id,
    account,
    kind,
    state: chunks === 0 ? 'done' : 'queued',
    on_model_missing: createMissing ? 'create' : 'ignore',
    items: items.length,
    chunks,
    applied_chunks: 0,
    applied_items: 0,
    errors,
    errors_count: errorsCount,
    created_at: now,
    ...(chunks === 0 ? { completed_at: now } : {}),
  };
  await deps.repo.insertBatch(doc);
  return { answer: { batch: { id: id.toHexString() }, errors, errors_count: errorsCount }, doc };
}
