/**
 * The stored Customer.io reporting webhooks: the only module that touches the
 * `customerio_reports` collection. Each webhook is inserted once under a unique
 * `(account, event_id)` key (the deduplication: a replay hits the key and changes nothing),
 * then marked processed once its profile update or event is stored.
 */
import { createHash } from 'node:crypto';
import { ObjectId, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import { isDuplicateKey } from '../../../store/mongo-errors.js';
import type { ItemOutcome } from '../../../store/group-commit.js';
import { insertOutcomes } from '../../../store/insert-many.js';

/** How a stored report was processed. */
export type ReportOutcome = 'profile' | 'event' | 'skipped' | 'failed';

/** A reporting webhook as stored. */
export interface ReportDoc {
  _id: ObjectId;
  /** `account|event_id` (or `account|sha256:<body hash>` without an event_id): unique. */
  key: string;
  account: string;
  event_id: string | null;
  object_type: string | null;
  metric: string | null;
  /** The body as received (a string: partner keys never reach MongoDB as field names). */
  body: string;
  received_at: Date;
  /** `null` until processed. */
  processed_at: Date | null;
  outcome: ReportOutcome | null;
  /** Why it was skipped or failed. */
  error: string | null;
}

/** The fields a new report is stored with. */
export interface NewReport {
  account: string;
  eventId: string | undefined;
  objectType: string | undefined;
  metric: string | undefined;
  body: string;
  receivedAt: Date;
}

/** The deduplication key of a report: its `event_id`, or the hash of its body when it has none. */
export function reportKey(account: string, eventId: string | undefined, body: string): string {
  return `${account}|${eventId ?? `sha256:${createHash('sha256').update(body).digest('hex')}`}`;
}

/** A new report's document. */
function reportDoc(report: NewReport): ReportDoc {
  return {
    _id: new ObjectId(),
    key: reportKey(report.account, report.eventId, report.body),
    account: report.account,
    event_id: report.eventId ?? null,
    object_type: report.objectType ?? null,
    metric: report.metric ?? null,
    body: report.body,
    received_at: report.receivedAt,
    processed_at: null,
    outcome: null,
    error: null,
  };
}

/** Reads and writes stored reporting webhooks. */
export class ReportsRepo {
  constructor(private readonly collection: Collection<ReportDoc>) {}

  /**
   * Stores a report; `undefined` when one with the same key is already stored (a replay). One
   * round trip.
   */
  async insert(report: NewReport): Promise<ReportDoc | undefined> {
    const doc = reportDoc(report);
    try {
      await this.collection.insertOne(doc);
      return doc;
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
  }

  /**
   * Stores several reports in one unordered `insertMany`: for each, the stored document, or
   * `undefined` when one with its key was already stored (a replay, or the same key twice in
   * this group), or the error that report alone got.
   * @throws the driver's error when the command as a whole failed (nothing can be said per report).
   */
  async insertMany(reports: readonly NewReport[]): Promise<Array<ItemOutcome<ReportDoc | undefined>>> {
    const docs = reports.map(reportDoc);
    const outcomes = await insertOutcomes(docs.length, () => this.collection.insertMany(docs, { ordered: false }));
    return outcomes.map((outcome, i) => {
      if (outcome.ok) return { ok: true, value: docs[i] };
      return isDuplicateKey(outcome.error) ? { ok: true, value: undefined } : outcome;
    });
  }

  /**
   * Records the outcomes of processed reports, in one unordered bulk write of one update by `_id`
   * each. (Not one `updateMany` per outcome with `_id: {$in: […]}`: on the test server,
   * mongo-java-server, that costs more per report as the list grows, where an update by `_id`
   * is one index lookup everywhere.)
   */
  async markProcessed(results: ReadonlyArray<{ id: ObjectId; outcome: ReportOutcome; error: string | null }>, at: Date): Promise<void> {
    if (results.length === 0) return;
    const ops: AnyBulkWriteOperation<ReportDoc>[] = results.map((r) => ({
      updateOne: { filter: { _id: r.id }, update: { $set: { processed_at: at, outcome: r.outcome, error: r.error } } },
    }));
    await this.collection.bulkWrite(ops, { ordered: false });
  }

  /** Reports still unprocessed that were received before `before` (left by a stop or a crash), oldest first. */
  unprocessed(before: Date, limit: number): Promise<ReportDoc[]> {
    return this.collection.find({ processed_at: null, received_at: { $lt: before } }).sort({ received_at: 1 }).limit(limit).toArray();
  }

  /** The stored report with this key, if any. */
  byKey(key: string): Promise<ReportDoc | null> {
    return this.collection.findOne({ key });
  }
}
