/**
 * The shapes ingest hands to the records repository: how an item identifies its record, and the
 * property changes to write (with their `$set`/`$unset` form). Here, with the store, so the
 * store never imports ingest.
 */
import type { ObjectId } from 'mongodb';
import type { CleanValue, DataWarning } from '../normalize/index.js';

/** How a record is identified; `filter` is the exact query that finds it. */
export type Identity =
  | { by: 'id'; id: ObjectId; filter: { _id: ObjectId; account: string } }
  | { by: 'uid'; uid: string; filter: { uid_key: string } }
  | { by: 'email'; email: string; filter: { email_key: string } };

/** What an item changes on its record. */
export interface PropertyChanges {
  /** Cleaned properties to set, by normalised name. */
  set: Record<string, CleanValue>;
  /** Normalised names to remove (sent as `null`). */
  unset: string[];
  /** Data warnings produced while cleaning. */
  warnings: DataWarning[];
}

/** `$set`/`$unset` documents for property changes stored under `props.`. */
export function propsUpdate(changes: PropertyChanges): { $set: Record<string, unknown>; $unset?: Record<string, ''> } {
  const $set: Record<string, unknown> = {};
  for (const name of Object.keys(changes.set)) $set[`props.${name}`] = changes.set[name];
  if (changes.unset.length === 0) return { $set };
  const $unset: Record<string, ''> = {};
  for (const name of changes.unset) $unset[`props.${name}`] = '';
  return { $set, $unset };
}
