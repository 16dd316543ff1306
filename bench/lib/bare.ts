/**
 * The bare baseline's write: the same shape of upsert the package does for a profile (custom
 * properties under `props.`, `updated_at`, and `account`/`uid`/`created_at` on insert), keyed by
 * a unique `uid_key`, on its own collection — with no validation, normalisation or bookkeeping.
 */
import type { AnyBulkWriteOperation, Collection, Db, Document } from 'mongodb';

/** The baseline's collection (the package's are prefixed `chameleon_`). */
export const BARE_COLLECTION = 'bare_profiles';

/** One upsert: filter and update. */
export interface BareUpsert {
  filter: { uid_key: string };
  update: Document;
}

/** The upsert for an item `{uid, ...props}`; `undefined` when it has no usable uid. */
export function bareUpsert(account: string, item: Record<string, unknown>, now: Date): BareUpsert | undefined {
  const uid = item.uid;
  if ((typeof uid !== 'string' || uid === '') && typeof uid !== 'number') return undefined;
  const uidText = String(uid);
  const $set: Document = { updated_at: now };
  for (const key of Object.keys(item)) if (key !== 'uid') $set[`props.${key}`] = item[key];
  return {
    filter: { uid_key: `${account}|${uidText}` },
    update: { $set, $setOnInsert: { account, uid: uidText, created_at: now } },
  };
}

/** `bulkWrite` operations for `items` (items without uid are skipped). */
export function bareBulkOps(account: string, items: readonly Record<string, unknown>[], now: Date): AnyBulkWriteOperation<Document>[] {
  const ops: AnyBulkWriteOperation<Document>[] = [];
  for (const item of items) {
    const u = bareUpsert(account, item, now);
    if (u) ops.push({ updateOne: { filter: u.filter, update: u.update, upsert: true } });
  }
  return ops;
}

/** The baseline collection with its unique `uid_key` index. */
export async function bareCollection(db: Db): Promise<Collection<Document>> {
  const collection = db.collection(BARE_COLLECTION);
  await collection.createIndex({ uid_key: 1 }, { name: 'uid_key_unique', unique: true, sparse: true });
  return collection;
}
