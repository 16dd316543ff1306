/**
 * The stored shapes of a batch: its record (state, progress, errors, the claim of the process
 * applying it), its chunks of items (each a JSON string, so a chunk's size in MongoDB is its
 * size on the wire), and its entry in the small queue of batches still to apply.
 */
import type { ObjectId } from 'mongodb';

/** Profiles or companies. */
export type BatchKind = 'profile' | 'company';

/** Where a batch is: recorded and waiting, being applied, applied, or given up. */
export type BatchState = 'queued' | 'applying' | 'done' | 'failed';

/** One item's error in a batch answer or record. */
export interface BatchItemError {
  code: number;
  index: number;
  message: string;
}

/** Errors listed in an answer or a batch record; the rest are counted. */
export const MAX_LISTED_ERRORS = 1000;

/** A batch record (`batches` collection). */
export interface BatchDoc {
  _id: ObjectId;
  account: string;
  kind: BatchKind;
  state: BatchState;
  on_model_missing: 'create' | 'ignore';
  /** Items in the request. */
  items: number;
  /** Chunks recorded (only items that passed validation are in them). */
  chunks: number;
  /** Chunks applied so far, in order: chunk `applied_chunks` is the next. */
  applied_chunks: number;
  /** Items of the applied chunks. */
  applied_items: number;
  /** The first {@link MAX_LISTED_ERRORS} errors: validation first, then those found while applying. */
  errors: BatchItemError[];
  errors_count: number;
  created_at: Date;
  started_at?: Date;
  completed_at?: Date;
  /** The process applying it (once finished: the one that finished it), and until when its claim holds without progress. */
  lease_owner?: string;
  lease_until?: Date;
}

/** A chunk of a batch's items (`batch_chunks` collection). */
export interface BatchChunkDoc {
  /** `<batch id>:<n>`: found by its unique `_id`, the one lookup every MongoDB-wire server indexes. */
  _id: string;
  batch_id: ObjectId;
  n: number;
  /** Index in the request of the chunk's first item. */
  start: number;
  /** Items in the chunk (skipped items count: they are `null` in `items`). */
  count: number;
  /** The items as a JSON array; an item that failed validation is `null`. */
  items: string;
  created_at: Date;
}

/** A batch still to apply (`batch_queue` collection): a short list to scan, whatever the retention of records. */
export interface BatchQueueDoc {
  _id: ObjectId;
  account: string;
  chunks: number;
  created_at: Date;
}

/** The id of chunk `n` of batch `batchId`. */
export function chunkId(batchId: ObjectId, n: number): string {
  return `${batchId.toHexString()}:${n}`;
}
