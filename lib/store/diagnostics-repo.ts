/**
 * Read-only checks of the database for `chameleon-hooks doctor`: the server's wire version and
 * clock, and which of the package's indexes exist. Creates nothing.
 */
import type { Db } from 'mongodb';
import { COLLECTION_NAMES, INDEXES, type CollectionName } from './collections.js';
import { readBacklog } from '../metrics/backlog-repo.js';
import type { BacklogSnapshot } from '../metrics/metrics.js';

/** The server's answer to `hello`: its wire version and its clock. */
export async function serverInfo(db: Db): Promise<{ maxWireVersion: number | null; localTime: Date | null; roundTripMs: number }> {
  const started = Date.now();
  // `hello` since MongoDB 4.4 (and 4.2.10); older servers and the test server know only `isMaster`.
  const hello = await db
    .admin()
    .command({ hello: 1 })
    .catch(() => db.admin().command({ isMaster: 1 }));
  const roundTripMs = Date.now() - started;
  return {
    maxWireVersion: typeof hello.maxWireVersion === 'number' ? hello.maxWireVersion : null,
    localTime: hello.localTime instanceof Date ? hello.localTime : null,
    roundTripMs,
  };
}

/** The package's named indexes that are missing, as `collection.index` (collections named with `prefix`). */
export async function missingIndexes(db: Db, prefix: string): Promise<string[]> {
  const missing: string[] = [];
  for (const name of COLLECTION_NAMES as readonly CollectionName[]) {
    const wanted = INDEXES[name].map((spec) => String(spec.options.name));
    if (wanted.length === 0) continue;
    const existing = await db
      .collection(`${prefix}${name}`)
      .listIndexes()
      .toArray()
      .then((list) => new Set(list.map((i) => String(i.name))))
      .catch(() => new Set<string>()); // a collection not created yet has no index
    for (const index of wanted) if (!existing.has(index)) missing.push(`${prefix}${name}.${index}`);
  }
  return missing;
}

/** Attempt jobs whose lock is older than `lockLifetimeMs` (left by a process that died). */
export function staleLocks(db: Db, jobsCollection: string, jobName: string, lockLifetimeMs: number, now = new Date()): Promise<number> {
  return db.collection(jobsCollection).countDocuments({ name: jobName, lockedAt: { $lt: new Date(now.getTime() - lockLifetimeMs) } });
}

/** The delivery backlog (pending, oldest age, due, locked jobs) of the `prefix` collections and the jobs collection. */
export function backlogOf(db: Db, prefix: string, jobsCollection: string, jobName: string, now = new Date()): Promise<BacklogSnapshot> {
  return readBacklog(db.collection(`${prefix}deliveries`), db.collection(jobsCollection), jobName, now);
}
