/**
 * The catalogues' write side: the only module that writes the `properties`, `warnings` and
 * `event_names` collections (the bookkeeper's coalesced flush hands it ready bulk operations).
 */
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { Collections } from '../store/collections.js';

/** One of the catalogue collections. */
export type CatalogueName = 'properties' | 'warnings' | 'event_names';

/** Writes catalogue tallies. */
export class CatalogueWritesRepo {
  constructor(private readonly collections: Collections) {}

  /** Applies `ops` to one catalogue in one unordered bulk write (nothing when there are none). */
  async write(name: CatalogueName, ops: AnyBulkWriteOperation<Document>[]): Promise<void> {
    if (ops.length > 0) await this.collections.get(name).bulkWrite(ops, { ordered: false });
  }
}
