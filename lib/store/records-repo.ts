/**
 * Profiles and companies: one idempotent upsert per item (`findOneAndUpdate` for a single
 * item, `bulkWrite` for batches), keyed by the unique `uid_key` / `email_key`, with a retry
 * on the duplicate-key error two concurrent first writes of one uid can cause.
 */
import { ObjectId, type AnyBulkWriteOperation, type Collection, type Document } from 'mongodb';
import { ChameleonError } from '../errors.js';
import { propsUpdate, type Identity, type PropertyChanges } from './record-changes.js';
import { emailKey, uidKey } from './collections.js';
import { isDuplicateKey } from './mongo-errors.js';

/** A profile or company as stored. */
export interface RecordDoc {
  _id: ObjectId;
  account: string;
  uid?: string;
  uid_key?: string;
  email?: string;
  email_key?: string;
  company_id?: ObjectId;
  props: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** What to write besides the custom properties. */
export interface RecordExtras {
  /** A profile's email: a string sets it, `null` removes it. */
  email?: string | null;
  /** The company a profile belongs to; `null` unlinks it. */
  companyId?: ObjectId | null;
}

/** One write: the filter, the update and whether a missing record is created. */
export interface RecordWrite {
  /** The account the record belongs to. */
  account: string;
  /** How the item identified its record (`filter` is its query). */
  identity: Identity;
  filter: Document;
  update: Document;
  upsert: boolean;
}

/** Builds the write for one item. Records found by `id` are never created. */
export function recordWrite(
  account: string,
  identity: Identity,
  changes: PropertyChanges,
  extras: RecordExtras,
  now: Date,
  createMissing: boolean,
): RecordWrite {
  const { $set, $unset } = propsUpdate(changes);
  $set.updated_at = now;
  const unset: Record<string, ''> = { ...$unset };
  if (typeof extras.email === 'string') {
    $set.email = extras.email;
    $set.email_key = emailKey(account, extras.email);
  } else if (extras.email === null) {
    unset.email = '';
    unset.email_key = '';
  }
  if (extras.companyId) $set.company_id = extras.companyId;
  else if (extras.companyId === null) unset.company_id = '';
  // The id is made here, not by the server: a proper, time-ordered ObjectId on any MongoDB-wire server.
  const setOnInsert: Document = { _id: new ObjectId(), account, created_at: now };
  if (identity.by === 'uid') setOnInsert.uid = identity.uid;
  const update: Document = { $set, $setOnInsert: setOnInsert };
  if (Object.keys(unset).length > 0) update.$unset = unset;
  return { account, identity, filter: identity.filter, update, upsert: createMissing && identity.by !== 'id' };
}

/**
 * Paths one update sets or unsets at most. Each dotted path of an update is checked against the
 * others, which costs the test server (and partly real MongoDB) time quadratic in their number:
 * 20,000 `props.*` paths in one update took minutes. Cut into updates of this many paths, an
 * item's cost is linear in its keys. Items this small (nearly all) stay one update.
 */
export const MAX_PATHS_PER_UPDATE = 128;

/**
 * Cuts an update into updates of at most {@link MAX_PATHS_PER_UPDATE} `$set`/`$unset` paths: the
 * first keeps every other operator (`$setOnInsert`), the rest only set or unset. Applied in order
 * to the same record, they make the same change.
 *
 * @example
 * splitUpdate({ $set: { 'props.a': 1, … 300 paths }, $setOnInsert: { … } }) // [{ $set: 128 paths, $setOnInsert }, { $set: 128 }, { $set: 44 }]
 */
export function splitUpdate(update: Document): Document[] {
  const set = Object.entries((update.$set ?? {}) as Document);
  const unset = Object.entries((update.$unset ?? {}) as Document);
  if (set.length + unset.length <= MAX_PATHS_PER_UPDATE) return [update];
  const paths: Array<['$set' | '$unset', string, unknown]> = [...set.map(([k, v]) => ['$set', k, v] as ['$set', string, unknown]), ...unset.map(([k, v]) => ['$unset', k, v] as ['$unset', string, unknown])];
  const updates: Document[] = [];
  for (let start = 0; start < paths.length; start += MAX_PATHS_PER_UPDATE) {
    const part: Document = start === 0 ? { ...update, $set: {}, $unset: {} } : { $set: {}, $unset: {} };
    for (const [op, key, value] of paths.slice(start, start + MAX_PATHS_PER_UPDATE)) (part[op] as Document)[key] = value;
    for (const op of ['$set', '$unset'] as const) if (Object.keys(part[op] as Document).length === 0) delete part[op];
    updates.push(part);
  }
  return updates;
}

/** Reads and writes one of the two record collections. */
export class RecordsRepo {
  constructor(private readonly collection: Collection<RecordDoc>) {}

  /**
   * Applies one write and returns the record's id, or `undefined` when it does not exist and
   * was not to be created. One round trip in the common case.
   * @throws ChameleonError (`422`) when the email already belongs to another profile.
   */
  async upsert(account: string, write: RecordWrite, identity: Identity): Promise<ObjectId | undefined> {
    const [head, ...rest] = splitUpdate(write.update);
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this.collection.findOneAndUpdate(write.filter, head!, {
          upsert: write.upsert,
          returnDocument: 'after',
          projection: { _id: 1 },
        });
        // A large item's other paths: one more round trip, by id.
        if (doc && rest.length > 0) await this.collection.bulkWrite(rest.map((update) => ({ updateOne: { filter: { _id: doc._id }, update } })), { ordered: true });
        return doc?._id;
      } catch (error) {
        // A concurrent first write of the same uid or email won the insert: now it is an update.
        if (attempt === 0 && write.upsert && isDuplicateKey(error)) continue;
        if (isDuplicateKey(error, 'email_key')) return this.adoptEmailProfile(account, write, identity);
        throw error;
      }
    }
  }

  /**
   * A uid write whose email belongs to a profile known only by that email: give that profile
   * the uid (it is the same person, first seen by email, e.g. from a partner).
   */
  private async adoptEmailProfile(account: string, write: RecordWrite, identity: Identity): Promise<ObjectId | undefined> {
    const email = (write.update.$set as Document).email as string | undefined;
    if (identity.by === 'uid' && email) {
      const { $set, $unset } = write.update as { $set: Document; $unset?: Document };
      const adopt: Document = { $set: { ...$set, uid: identity.uid, uid_key: uidKey(account, identity.uid) } };
      if ($unset) adopt.$unset = $unset;
      try {
        const doc = await this.collection.findOneAndUpdate(
          { email_key: emailKey(account, email), uid_key: { $exists: false } },
          adopt,
          { returnDocument: 'after', projection: { _id: 1 } },
        );
        if (doc) return doc._id;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new ChameleonError('CH_ERR_CONFLICT', `The email ${email ?? '(given)'} already belongs to another profile`);
  }

  /**
   * Applies many writes in order; returns the index and error of each write that failed.
   * A write that hits a unique key (a concurrent first write of its uid or email, or an email
   * known only by email) is applied again on its own, exactly as a single request would be.
   */
  async bulk(writes: RecordWrite[]): Promise<Map<number, unknown>> {
    const failures = new Map<number, unknown>();
    let start = 0;
    while (start < writes.length) {
      // A large item becomes several updates of its record (see splitUpdate); `owner` maps each op back to its write.
      const ops: AnyBulkWriteOperation<RecordDoc>[] = [];
      const owner: number[] = [];
      for (let i = start; i < writes.length; i++) {
        const w = writes[i]!;
        splitUpdate(w.update).forEach((update, part) => {
          ops.push({ updateOne: { filter: w.filter, update, upsert: part === 0 && w.upsert } });
          owner.push(i);
        });
      }
      try {
        await this.collection.bulkWrite(ops, { ordered: true });
        return failures;
      } catch (error) {
        const failed = (error as { writeErrors?: Array<{ index: number; err?: unknown }> | { index: number } }).writeErrors;
        const first = Array.isArray(failed) ? failed[0] : failed;
        if (!first || typeof first.index !== 'number') throw error;
        const index = owner[first.index]!;
        const write = writes[index]!;
        try {
          await this.upsert(write.account, write, write.identity);
        } catch (retryError) {
          failures.set(index, retryError);
        }
        start = index + 1;
      }
    }
    return failures;
  }

  /** The record with this id in this account. */
  findById(account: string, id: ObjectId): Promise<RecordDoc | null> {
    return this.collection.findOne({ _id: id, account });
  }

  /** The record found by `filter` (a unique key), if any. */
  findOne(filter: Document): Promise<RecordDoc | null> {
    return this.collection.findOne(filter);
  }

  /** Which of these ids name a record of this account (as 24-hex strings). */
  async existingIds(account: string, ids: ObjectId[]): Promise<Set<string>> {
    const docs = await this.collection.find({ _id: { $in: ids }, account }, { projection: { _id: 1 } }).toArray();
    return new Set(docs.map((d) => d._id.toHexString()));
  }

  /**
   * The id of the record each write names (by uid, email or id), in order; `undefined` for a
   * write left out (`undefined`) or a record that does not exist. One query per kind of key.
   */
  async idsFor(writes: ReadonlyArray<RecordWrite | undefined>): Promise<Array<ObjectId | undefined>> {
    const keyOf = (w: RecordWrite): string | undefined =>
      w.identity.by === 'uid' ? (w.filter.uid_key as string) : w.identity.by === 'email' ? (w.filter.email_key as string) : undefined;
    const uidKeys = writes.flatMap((w) => (w?.identity.by === 'uid' ? [keyOf(w)!] : []));
    const emailKeys = writes.flatMap((w) => (w?.identity.by === 'email' ? [keyOf(w)!] : []));
    const byIds = writes.flatMap((w) => (w?.identity.by === 'id' ? [w.identity.id] : []));
    const found = new Map<string, ObjectId>();
    const [byUid, byEmail, byId] = await Promise.all([
      uidKeys.length ? this.collection.find({ uid_key: { $in: uidKeys } }, { projection: { _id: 1, uid_key: 1 } }).toArray() : [],
      emailKeys.length ? this.collection.find({ email_key: { $in: emailKeys } }, { projection: { _id: 1, email_key: 1 } }).toArray() : [],
      byIds.length ? this.collection.find({ _id: { $in: byIds } }, { projection: { _id: 1, account: 1 } }).toArray() : [],
    ]);
    for (const d of byUid) found.set(`u:${d.uid_key}`, d._id);
    for (const d of byEmail) found.set(`e:${d.email_key}`, d._id);
    for (const d of byId) found.set(`i:${d.account}|${d._id.toHexString()}`, d._id);
    return writes.map((w) => {
      if (!w) return undefined;
      if (w.identity.by === 'id') return found.get(`i:${w.account}|${w.identity.id.toHexString()}`);
      return found.get(`${w.identity.by === 'uid' ? 'u' : 'e'}:${keyOf(w)}`);
    });
  }

  /** Ids of the records with these uids, by uid. */
  async idsByUid(account: string, uids: string[]): Promise<Map<string, ObjectId>> {
    const docs = await this.collection
      .find({ uid_key: { $in: uids.map((uid) => uidKey(account, uid)) } }, { projection: { _id: 1, uid: 1 } })
      .toArray();
    return new Map(docs.map((d) => [d.uid as string, d._id]));
  }
}
