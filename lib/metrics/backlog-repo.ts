/**
 * The repository behind the backlog gauges: counts of pending and due deliveries, the oldest pending
 * delivery's age, and the Agenda jobs locked, read when the metrics are scraped.
 */
import type { Collection, Document } from 'mongodb';
import type { BacklogSnapshot } from './metrics.js';

/** Reads the backlog of `deliveries` (the package's deliveries) and `jobs` (Agenda's, by job name). */
export async function readBacklog(
  deliveries: Collection<Document>,
  jobs: Collection<Document> | undefined,
  jobName: string,
  now: Date = new Date(),
): Promise<BacklogSnapshot> {
  const [pending, due, oldest, jobsLocked] = await Promise.all([
    deliveries.countDocuments({ state: 'pending' }),
    deliveries.countDocuments({ state: 'pending', next_attempt_at: { $lte: now } }),
    deliveries.find({ state: 'pending' }, { projection: { created_at: 1 } }).sort({ created_at: 1 }).limit(1).next(),
    jobs ? jobs.countDocuments({ name: jobName, lockedAt: { $ne: null } }) : Promise.resolve(0),
  ]);
  const createdAt = oldest?.created_at instanceof Date ? oldest.created_at.getTime() : now.getTime();
  return { pending, due, oldestPendingAgeSeconds: Math.max(0, (now.getTime() - createdAt) / 1000), jobsLocked };
}
