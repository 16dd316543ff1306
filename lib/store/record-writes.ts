/**
 * Single-record writes of concurrent requests, grouped (see `group-commit.ts`): a turn's writes
 * to one record collection go as one ordered `bulkWrite` plus one read of their ids, instead of a
 * `findOneAndUpdate` each. A lone write keeps its single round trip.
 */
import type { ObjectId } from 'mongodb';
import { GroupCommit, type ItemOutcome } from './group-commit.js';
import type { RecordsRepo, RecordWrite } from './records-repo.js';

/** Applies one record write and answers the record's id (`undefined`: not found and not created). */
export type RecordWrites = GroupCommit<RecordWrite, ObjectId | undefined>;

/**
 * Group commit over `repo`. A group of one is `repo.upsert` (one round trip, as before). A larger
 * group is `repo.bulk` in submission order (a write that hits a unique key is retried alone there,
 * exactly as a single request would be), then `repo.idsFor`; a write whose record is not found
 * after its group (only a concurrent change of its key can do that) is applied again alone, and
 * so is every write of a group whose bulk write failed as a whole.
 */
export function recordWrites(repo: RecordsRepo): RecordWrites {
  const one = async (write: RecordWrite): Promise<ItemOutcome<ObjectId | undefined>> => {
    try {
      return { ok: true, value: await repo.upsert(write.account, write, write.identity) };
    } catch (error) {
      return { ok: false, error };
    }
  };
  return new GroupCommit<RecordWrite, ObjectId | undefined>(async (writes) => {
    if (writes.length === 1) return [await one(writes[0]!)];
    const failures = await repo.bulk(writes);
    const ids = await repo.idsFor(writes.map((w, i) => (failures.has(i) ? undefined : w)));
    return Promise.all(
      writes.map(async (write, i): Promise<ItemOutcome<ObjectId | undefined>> => {
        if (failures.has(i)) return { ok: false, error: failures.get(i) };
        const id = ids[i];
        if (id !== undefined || !write.upsert) return { ok: true, value: id };
        return one(write);
      }),
    );
  }, (write) => repo.upsert(write.account, write, write.identity));
}
