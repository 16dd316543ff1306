/**
 * Paged reads of the catalogues (properties, data warnings, event names) for one account.
 * Every page is a range on the collection's unique `key` (`account|kind|prop…`), so it is an
 * indexed query however large the catalogue grows; `after` is the last key's visible part.
 */
import type { Collection, Document } from 'mongodb';
import type { Collections } from '../store/collections.js';
import type { ModelKind } from './bookkeeper.js';

/** One page of catalogue rows and the cursor of the next one (`null` after the last). */
export interface CataloguePage {
  items: Document[];
  next: string | null;
}

/** Reads the catalogues a page at a time. */
export class CatalogueRepo {
  constructor(private readonly collections: Collections) {}

  /** Properties of one kind, by name. */
  properties(account: string, kind: ModelKind, after: string | undefined, limit: number): Promise<CataloguePage> {
    return this.page(this.collections.get('properties'), `${account}|${kind}|`, after, limit);
  }

  /** Data warnings of one kind, by property then reason. */
  warnings(account: string, kind: ModelKind, after: string | undefined, limit: number): Promise<CataloguePage> {
    return this.page(this.collections.get('warnings'), `${account}|${kind}|`, after, limit);
  }

  /** The event-name catalogue, by normalised name. */
  eventNames(account: string, after: string | undefined, limit: number): Promise<CataloguePage> {
    return this.page(this.collections.get('event_names'), `${account}|`, after, limit);
  }

  /** Every property (up to `max`) of one kind, by name, and every warning of that kind, latest first. */
  async allProperties(account: string, kind: ModelKind, max: number): Promise<{ properties: Document[]; warnings: Document[] }> {
    const [properties, warnings] = await Promise.all([
      this.collections.get('properties').find({ account, kind }).sort({ prop: 1 }).limit(max).toArray(),
      this.collections.get('warnings').find({ account, kind }).sort({ last_seen_at: -1 }).limit(max).toArray(),
    ]);
    return { properties, warnings };
  }

  /** The event names (up to `max`), most recently seen first. */
  allEventNames(account: string, max: number): Promise<Document[]> {
    return this.collections.get('event_names').find({ account }).sort({ last_seen_at: -1 }).limit(max).toArray();
  }

  private async page(collection: Collection, prefix: string, after: string | undefined, limit: number): Promise<CataloguePage> {
    // '\uffff' sorts after every character a normalised name can hold: the range is exactly this prefix.
    const from = after === undefined ? { $gte: prefix } : { $gt: prefix + after };
    const items = await collection
      .find({ key: { ...from, $lt: `${prefix}\uffff` } })
      .sort({ key: 1 })
      .limit(limit + 1)
      .toArray();
    const more = items.length > limit;
    if (more) items.length = limit;
    const last = items[items.length - 1];
    return { items, next: more && last ? String(last.key).slice(prefix.length) : null };
  }
}
