/**
 * Coalesced endpoint state: the latest outcome per endpoint (`last_item_*`) and the start of
 * its current failure run (for auto-disable) are kept in memory and written once per
 * interval, so an attempt costs one write (its delivery), not two.
 */
import type { AnyBulkWriteOperation, Collection, ObjectId } from 'mongodb';
import type { EndpointDoc } from './documents.js';
import { CoalescedWriter, type CoalescingOptions } from '../coalesced-writer.js';

interface Latest {
  id: ObjectId;
  at: Date;
  ok: boolean;
  error: string | null;
  /** Start of the failure run the latest outcome belongs to (null after a success). */
  firstFailureAt: Date | null;
  /** A success was seen since the last flush: any failure run stored before it has ended. */
  restarted: boolean;
}

/** Aggregates attempt outcomes per endpoint and flushes them. */
export class EndpointStats extends CoalescedWriter {
  private pending = new Map<string, Latest>();

  constructor(
    private readonly collection: Collection<EndpointDoc>,
    options: CoalescingOptions,
  ) {
    super(options, 'endpoint state');
  }

  /** Notes one attempt's outcome. */
  record(endpointId: ObjectId, at: Date, ok: boolean, error: string | null): void {
    const key = endpointId.toHexString();
    const previous = this.pending.get(key);
    if (previous && previous.at > at) {
      // An older attempt finished late: the latest outcome stands, but a success still ends the run before it.
      if (ok && !previous.ok) {
        previous.restarted = true;
        if (previous.firstFailureAt && previous.firstFailureAt < at) previous.firstFailureAt = previous.at;
      }
      return;
    }
    const firstFailureAt = ok ? null : (previous && !previous.ok ? previous.firstFailureAt : at);
    this.pending.set(key, { id: endpointId, at, ok, error, firstFailureAt, restarted: ok || (previous?.restarted ?? false) });
  }

  /** Writes every pending outcome in one ordered bulk write. */
  protected async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const ops: AnyBulkWriteOperation<EndpointDoc>[] = [];
    for (const s of batch) {
      const last = { last_item_at: s.at, last_item_state: s.ok ? ('valid' as const) : ('error' as const), last_item_error: s.error, updated_at: s.at };
      // Only move last_item_* forward in time (another process may have written a newer one).
      ops.push({ updateOne: { filter: { _id: s.id, $or: [{ last_item_at: null }, { last_item_at: { $lte: s.at } }] }, update: { $set: last } } });
      if (s.ok) ops.push({ updateOne: { filter: { _id: s.id }, update: { $set: { failing_since: null } } } });
      // After a success in this batch the stored run has ended: the new one starts at this batch's first failure.
      else ops.push({ updateOne: { filter: s.restarted ? { _id: s.id } : { _id: s.id, failing_since: null }, update: { $set: { failing_since: s.firstFailureAt } } } });
    }
    await this.collection.bulkWrite(ops, { ordered: true });
  }
}
