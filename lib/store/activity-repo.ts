/**
 * Recent activity of one account, newest first, a page at a time: incoming profiles and
 * companies (by last update), events and published webhooks (by creation). Each page is a
 * range on an `(account, time)` index with a `before` cursor (see `http/pagination.ts`).
 */
import type { Collection, Document } from 'mongodb';
import type { Collections } from './collections.js';
import type { PageQuery } from '../http/pagination.js';

/** Which recent activity to read, and the time field it is ordered by. */
export const ACTIVITY_KINDS = {
  profiles: { collection: 'profiles', timeField: 'updated_at' },
  companies: { collection: 'companies', timeField: 'updated_at' },
  events: { collection: 'events', timeField: 'created_at' },
  webhooks: { collection: 'webhooks', timeField: 'created_at' },
} as const;

/** One of {@link ACTIVITY_KINDS}. */
export type ActivityKind = keyof typeof ACTIVITY_KINDS;

/** Reads recent activity. */
export class ActivityRepo {
  constructor(private readonly collections: Collections) {}

  /** How many of `kind` were received (profiles, companies: updated) since `since`. */
  countSince(account: string, kind: ActivityKind, since: Date): Promise<number> {
    const { collection, timeField } = ACTIVITY_KINDS[kind];
    return this.collections.get(collection).countDocuments({ account, [timeField]: { $gte: since } });
  }

  /** One page of `kind`, newest first (`page.limit` items at most). */
  recent(account: string, kind: ActivityKind, page: PageQuery): Promise<Document[]> {
    const { collection, timeField } = ACTIVITY_KINDS[kind];
    const docs: Collection = this.collections.get(collection);
    return docs
      .find({ account, ...page.filter })
      .sort({ [timeField]: -1, _id: -1 })
      .limit(page.limit)
      .toArray();
  }
}
