/**
 * Agenda, configured against its known traps: a lock limit equal to the concurrency (by
 * default one process would lock the whole backlog), a lock lifetime sized to the request
 * timeout (not 10 minutes), completed jobs removed (delivery state lives in our own
 * collection), `processEvery` as a number of ms, and stale locks cleared at start. There is
 * deliberately no recurring Agenda job: a recurring job left locked by a killed process is
 * starved until its lock expires (agenda#1749), so the sweep and the due drain run on timers
 * in every process instead (see background/background.ts). Agenda holds delayed retries only.
 */
import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { hostname } from 'node:os';
import type { Collection, Db } from 'mongodb';
import type { Config, AgendaSettings } from '../../options.js';
import type { AttemptTrigger } from '../deliveries/documents.js';

/** The job that makes one durable attempt of a delivery. */
export const ATTEMPT_JOB = 'chameleon-hooks:attempt';

/** The data of an attempt job. */
export interface AttemptJobData {
  deliveryId: string;
  trigger: AttemptTrigger;
  /**
   * The delivery's `next_attempt_at` (epoch ms) this job was created for. When the delivery has
   * been rescheduled since (a manual retry, a recovery, another job), the job does nothing.
   */
  due?: number;
  /**
   * The delivery's `rev` when the retry was scheduled (hex): the job claims by it, one index
   * lookup. Absent on jobs made before it existed: those claim by the delivery's fields.
   */
  rev?: string;
}

/** The Agenda instance in use, and whether the package created it (and so starts and stops it). */
export interface AgendaHandle {
  agenda: Agenda;
  owned: boolean;
  collection: string;
}

/** The lock lifetime for a request timeout: the timeout plus margin for the bookkeeping around it. */
export function lockLifetimeFor(timeoutMs: number): number {
  return timeoutMs + 30_000;
}

function isAgenda(value: unknown): value is Agenda {
  return typeof (value as Agenda | undefined)?.define === 'function' && typeof (value as Agenda).schedule === 'function';
}

/** Uses the host's Agenda, or creates one on the package's database. */
export function createAgenda(config: Config, db: Db): AgendaHandle {
  const settings = config.agenda as AgendaSettings;
  const collection = isAgenda(config.agenda) ? 'agendaJobs' : (settings.collection ?? `${config.collectionPrefix}jobs`);
  if (isAgenda(config.agenda)) return { agenda: config.agenda, owned: false, collection };
  const { concurrency, pollIntervalMs, timeoutMs } = config.delivery;
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: db, collection }),
    name: `${hostname()}-${process.pid}`,
    processEvery: pollIntervalMs, // a number: agenda 6.2.6 read the string '200 milliseconds' as seconds
    maxConcurrency: concurrency + 1,
    defaultConcurrency: concurrency,
    lockLimit: concurrency + 1,
    defaultLockLimit: concurrency,
    defaultLockLifetime: lockLifetimeFor(timeoutMs),
    removeOnComplete: true,
  });
  return { agenda, owned: true, collection };
}

/** Defines the package's attempt job on `agenda`. The handler must not throw: failures are ours to schedule. */
export function defineJobs(
  handle: AgendaHandle,
  config: Config,
  handlers: { attempt(data: AttemptJobData): Promise<void> },
): void {
  const { agenda } = handle;
  const { concurrency, timeoutMs } = config.delivery;
  const log = config.logger;
  agenda.define(
    ATTEMPT_JOB,
    async (job: Job<AttemptJobData>) => {
      try {
        await handlers.attempt(job.attrs.data);
      } catch (error) {
        log.error({ err: error, job: job.attrs.data }, 'chameleon-hooks: attempt job failed');
      }
    },
    { concurrency, lockLimit: concurrency, lockLifetime: lockLifetimeFor(timeoutMs), removeOnComplete: true },
  );
}

/** Clears locks left by a crashed process on the attempt jobs, so no stale lock can starve them. */
export async function clearStaleLocks(db: Db, handle: AgendaHandle, lockLifetimeMs: number): Promise<number> {
  // The Mongo backend's own collection, wherever it lives (a host's Agenda may use another
  // database or collection name); by name only when the repository does not expose it.
  const repository = handle.agenda.db as unknown as { collection?: Collection };
  const jobs = repository?.collection && typeof repository.collection.updateMany === 'function' ? repository.collection : db.collection(handle.collection);
  const result = await jobs.updateMany({ name: ATTEMPT_JOB, lockedAt: { $lt: new Date(Date.now() - lockLifetimeMs) } }, { $set: { lockedAt: null } });
  return result.modifiedCount;
}
