/**
 * Attempt outcomes counted per account and hour (succeeded, retrying, failed), for the
 * dashboard's charts. Counted in memory and written in one unordered `bulkWrite` per interval
 * (an attempt costs no extra round trip), each hour one document under a unique key, so a chart
 * of 7 days reads 168 documents by key instead of aggregating every delivery.
 */
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Logger } from '../../logger.js';

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

const HOUR_MS = 60 * 60 * 1000;

function keyOf(account: string, hourMs: number): string {
  return `${account}|${hourMs}`;
}

/** Counts outcomes and flushes them periodically. */
export class OutcomeCounts {
  private pending = new Map<string, OutcomeCountDoc>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly collection: Collection<OutcomeCountDoc>,
    private readonly options: { flushIntervalMs: number; logger: Logger },
  ) {}

  /** Starts the periodic flush. */
  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Counts one attempt's outcome in the hour of `at`. */
  record(account: string, at: Date, outcome: CountedOutcome): void {
    const hourMs = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
    const key = keyOf(account, hourMs);
    let doc = this.pending.get(key);
    if (!doc) {
      doc = { key, account, hour: new Date(hourMs), succeeded: 0, retrying: 0, failed: 0 };
      this.pending.set(key, doc);
    }
    doc[outcome] += 1;
  }

  /** Writes every pending count. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  /** An account's counts for every hour from `since` up to `until` that had any (by key: one indexed lookup). */
  async hourly(account: string, since: Date, until: Date): Promise<HourCounts[]> {
    await this.flush();
    const keys: string[] = [];
    for (let h = Math.floor(since.getTime() / HOUR_MS) * HOUR_MS; h <= until.getTime(); h += HOUR_MS) keys.push(keyOf(account, h));
    const docs = await this.collection.find({ key: { $in: keys } }, { projection: { _id: 0, hour: 1, succeeded: 1, retrying: 1, failed: 1 } }).toArray();
    return docs.map((d) => ({ hour: d.hour, succeeded: d.succeeded ?? 0, retrying: d.retrying ?? 0, failed: d.failed ?? 0 }));
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const ops: AnyBulkWriteOperation<OutcomeCountDoc>[] = batch.map((d) => ({
      updateOne: {
        filter: { key: d.key },
        update: { $inc: { succeeded: d.succeeded, retrying: d.retrying, failed: d.failed }, $setOnInsert: { account: d.account, hour: d.hour } },
        upsert: true,
      },
    }));
    try {
      await this.collection.bulkWrite(ops, { ordered: false });
    } catch (error) {
      this.options.logger.warn({ err: error }, 'chameleon-hooks: outcome counts flush failed');
    }
  }
}
