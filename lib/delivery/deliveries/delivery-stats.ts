/**
 * The delivery engine's hourly statistics, kept as attempts finish and coalesced in memory (one
 * buffer, written in one unordered `bulkWrite` per `flushIntervalMs`: an attempt costs no extra
 * round trip):
 * - per account and hour, the attempt outcomes (succeeded, retrying, failed): the dashboard's charts;
 * - per destination and hour, what its health needs: attempts, failures, the latency of successes
 *   (their sum and the latest {@link LATENCY_SAMPLES}), the latest attempt and the latest failure.
 *
 * Every document has a unique `key` (`account|hourMs`, `destinationHex|hourMs`) and is read by
 * `key: {$in: [...]}`: a chart of 7 days is 168 lookups, and the health of every endpoint of a
 * page is one query, on MongoDB as on the test server (whose only indexed lookups are these).
 */
import type { AnyBulkWriteOperation, Collection, ObjectId } from 'mongodb';
import { CoalescedWriter, type CoalescingOptions } from '../coalesced-writer.js';
import type { AttemptLog } from './documents.js';
import { healthFromHours, HEALTH_WINDOW_MS, type DestinationHealth, type DestinationHourDoc } from './health.js';

/** What an attempt ended in, as the charts count it. */
export type CountedOutcome = 'succeeded' | 'retrying' | 'failed';

/** One hour's counts of one account, as stored. */
export interface OutcomeCountDoc {
  /** `account|hour start in ms`: unique. */
  key: string;
  account: string;
  hour: Date;
  succeeded: number;
  retrying: number;
  failed: number;
}

/** One hour's counts. */
export interface HourCounts {
  hour: Date;
  succeeded: number;
  retrying: number;
  failed: number;
}

/** One finished attempt, as the statistics take it. */
export interface NotedAttempt {
  account: string;
  destinationId: ObjectId;
  log: AttemptLog;
  /** How the charts count it; `null` for none (a skipped delivery, an outcome not applied). */
  outcome: CountedOutcome | null;
  /** Whether the attempt says anything of the destination's health (a skip does not). */
  health: boolean;
}

/** Successful latencies kept per destination and hour (the latest), for p50/p95. */
export const LATENCY_SAMPLES = 200;

const HOUR_MS = 60 * 60 * 1000;

const hourOf = (at: Date): number => Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;

/** What one flush adds to one destination's hour. */
interface HealthDelta {
  key: string;
  destination: ObjectId;
  hour: Date;
  attempts: number;
  failed: number;
  okMsSum: number;
  okMs: number[];
  last: { at: Date; failed: boolean } | null;
  lastFailure: { at: Date; error: string | null } | null;
}

/** Counts outcomes and health per hour; flushes them periodically; reads them by key. */
export class DeliveryStats extends CoalescedWriter {
  private counts = new Map<string, OutcomeCountDoc>();
  private health = new Map<string, HealthDelta>();

  constructor(
    private readonly countsCollection: Collection<OutcomeCountDoc>,
    private readonly healthCollection: Collection<DestinationHourDoc>,
    options: CoalescingOptions,
  ) {
    super(options, 'delivery statistics');
  }

  /** Notes one finished attempt. */
  record(attempt: NotedAttempt): void {
    const { log } = attempt;
    const hourMs = hourOf(log.at);
    if (attempt.outcome) {
      const key = `${attempt.account}|${hourMs}`;
      let doc = this.counts.get(key);
      if (!doc) this.counts.set(key, (doc = { key, account: attempt.account, hour: new Date(hourMs), succeeded: 0, retrying: 0, failed: 0 }));
      doc[attempt.outcome] += 1;
    }
    if (!attempt.health) return;
    const key = `${attempt.destinationId.toHexString()}|${hourMs}`;
    let d = this.health.get(key);
    if (!d) this.health.set(key, (d = { key, destination: attempt.destinationId, hour: new Date(hourMs), attempts: 0, failed: 0, okMsSum: 0, okMs: [], last: null, lastFailure: null }));
    const ok = log.status !== null && log.status >= 200 && log.status < 300 && log.error === null;
    d.attempts += 1;
    if (ok) {
      d.okMsSum += log.duration_ms;
      d.okMs.push(log.duration_ms);
      if (d.okMs.length > LATENCY_SAMPLES) d.okMs.shift();
    } else {
      d.failed += 1;
      if (!d.lastFailure || d.lastFailure.at <= log.at) d.lastFailure = { at: log.at, error: log.error };
    }
    if (!d.last || d.last.at <= log.at) d.last = { at: log.at, failed: !ok };
  }

  /** An account's outcome counts for every hour from `since` up to `until` that had any (one lookup by key). */
  async hourly(account: string, since: Date, until: Date): Promise<HourCounts[]> {
    await this.flush();
    const keys: string[] = [];
    for (let h = hourOf(since); h <= until.getTime(); h += HOUR_MS) keys.push(`${account}|${h}`);
    const docs = await this.countsCollection.find({ key: { $in: keys } }, { projection: { _id: 0, hour: 1, succeeded: 1, retrying: 1, failed: 1 } }).toArray();
    return docs.map((d) => ({ hour: d.hour, succeeded: d.succeeded ?? 0, retrying: d.retrying ?? 0, failed: d.failed ?? 0 }));
  }

  /** The health of each destination (by hex id) over the window before `now`: one lookup by key for all of them. */
  async healthOf(destinationIds: readonly ObjectId[], now: Date): Promise<Map<string, DestinationHealth>> {
    await this.flush();
    const ids = destinationIds.map((id) => id.toHexString());
    const keys: string[] = [];
    for (let h = hourOf(new Date(now.getTime() - HEALTH_WINDOW_MS)); h <= now.getTime(); h += HOUR_MS) for (const id of ids) keys.push(`${id}|${h}`);
    const docs = keys.length === 0 ? [] : await this.healthCollection.find({ key: { $in: keys } }, { projection: { _id: 0 } }).toArray();
    const byDestination = new Map<string, DestinationHourDoc[]>(ids.map((id) => [id, []]));
    for (const doc of docs) byDestination.get(doc.key.slice(0, doc.key.indexOf('|')))?.push(doc);
    return new Map(ids.map((id) => [id, healthFromHours(byDestination.get(id)!)]));
  }

  /** Writes both buffers in one unordered bulk write per collection. */
  protected async write(): Promise<void> {
    const counts = [...this.counts.values()];
    const health = [...this.health.values()];
    this.counts = new Map();
    this.health = new Map();
    const countOps: AnyBulkWriteOperation<OutcomeCountDoc>[] = counts.map((d) => ({
      updateOne: {
        filter: { key: d.key },
        update: { $inc: { succeeded: d.succeeded, retrying: d.retrying, failed: d.failed }, $setOnInsert: { account: d.account, hour: d.hour } },
        upsert: true,
      },
    }));
    const healthOps: AnyBulkWriteOperation<DestinationHourDoc>[] = health.map((d) => ({
      updateOne: {
        filter: { key: d.key },
        update: {
          $inc: { attempts: d.attempts, failed: d.failed, ok_ms_sum: d.okMsSum },
          $push: { ok_ms: { $each: d.okMs, $slice: -LATENCY_SAMPLES } },
          // {at, …} documents compare by `at` first: $max keeps the latest, whichever process wrote it.
          $max: { ...(d.last ? { last: d.last } : {}), ...(d.lastFailure ? { last_failure: d.lastFailure } : {}) },
          $setOnInsert: { destination: d.destination, hour: d.hour },
        },
        upsert: true,
      },
    }));
    await Promise.all([
      countOps.length > 0 ? this.countsCollection.bulkWrite(countOps, { ordered: false }) : undefined,
      healthOps.length > 0 ? this.healthCollection.bulkWrite(healthOps, { ordered: false }) : undefined,
    ]);
  }
}
