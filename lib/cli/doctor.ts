/**
 * `chameleon-hooks doctor`: read-only checks of a deployment, each line OK or a one-line fix.
 * Connects without `ready()`, so it creates nothing (no index, no job).
 */
import { openConnection } from '../store/connection.js';
import { backlogOf, missingIndexes, serverInfo, staleLocks } from '../store/diagnostics-repo.js';
import { ATTEMPT_JOB, lockLifetimeFor } from '../delivery/background/jobs.js';
import type { Config } from '../options.js';

/** One check's result. */
export interface Check {
  name: string;
  ok: boolean;
  /** What was found, and for a failed check, the fix. */
  detail: string;
}

/** Largest clock difference with the database that the recovery sweep tolerates (its 30 s overlap). */
const MAX_SKEW_MS = 30_000;

/** Runs every check against the configured database. */
export async function doctor(config: Config, now: () => Date = () => new Date()): Promise<Check[]> {
  const checks: Check[] = [];
  let connection;
  try {
    connection = await openConnection(config.mongo);
  } catch (error) {
    return [{ name: 'database', ok: false, detail: `unreachable (${(error as Error).message}): check --uri / MONGODB_URI and that the server is up` }];
  }
  try {
    const { db } = connection;
    const info = await serverInfo(db);
    checks.push({ name: 'database', ok: true, detail: `reachable in ${info.roundTripMs} ms, wire version ${info.maxWireVersion ?? 'unknown'}, database ${db.databaseName}` });
    const missing = await missingIndexes(db, config.collectionPrefix);
    checks.push(
      missing.length === 0
        ? { name: 'indexes', ok: true, detail: 'every index present' }
        : { name: 'indexes', ok: false, detail: `${missing.length} missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}): start the package once (hooks.ready()) to create them` },
    );
    const jobs = typeof (config.agenda as { collection?: unknown }).collection === 'string' ? String((config.agenda as { collection: string }).collection) : `${config.collectionPrefix}jobs`;
    const lifetime = lockLifetimeFor(config.delivery.timeoutMs);
    const stale = await staleLocks(db, jobs, ATTEMPT_JOB, lifetime, now());
    checks.push(
      stale === 0
        ? { name: 'agenda locks', ok: true, detail: 'no stale lock' }
        : { name: 'agenda locks', ok: false, detail: `${stale} job lock(s) older than ${lifetime / 1000} s, left by dead processes: start any host process (it clears them)` },
    );
    const backlog = await backlogOf(db, config.collectionPrefix, jobs, ATTEMPT_JOB, now());
    checks.push({ name: 'pending', ok: true, detail: `${backlog.pending} pending, oldest ${Math.round(backlog.oldestPendingAgeSeconds)} s old` });
    checks.push(
      backlog.due === 0
        ? { name: 'due', ok: true, detail: 'nothing overdue' }
        : { name: 'due', ok: false, detail: `${backlog.due} due but not yet attempted: check that host processes are running, or add processes or delivery.concurrency` },
    );
    if (info.localTime) {
      const skew = now().getTime() + info.roundTripMs / 2 - info.localTime.getTime();
      checks.push(
        Math.abs(skew) <= MAX_SKEW_MS
          ? { name: 'clock', ok: true, detail: `${Math.round(skew)} ms from the database's clock` }
          : { name: 'clock', ok: false, detail: `${Math.round(skew / 1000)} s from the database's clock: sync this host's clock (NTP); the sweep tolerates ${MAX_SKEW_MS / 1000} s` },
      );
    } else {
      checks.push({ name: 'clock', ok: true, detail: 'the database does not report its time' });
    }
  } catch (error) {
    checks.push({ name: 'database', ok: false, detail: `query failed (${(error as Error).message})` });
  } finally {
    await connection.close().catch(() => undefined);
  }
  return checks;
}
