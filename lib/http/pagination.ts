/**
 * Cursor pagination shared by every list endpoint: `?limit=` (1–500) and an opaque
 * `?before=` cursor made of the last item's time and id, so pages never skip or repeat.
 */
import { ObjectId, type Document } from 'mongodb';
import { ChameleonError } from '../errors.js';

/** A parsed page request. */
export interface PageQuery {
  limit: number;
  /** Extra filter selecting items strictly older than the cursor. */
  filter: Document;
  /** The cursor's time (absent on the first page): nothing newer is on this page. */
  time?: Date;
}

/** Parses `limit` and `before` for a collection sorted by `{ [timeField]: -1, _id: -1 }`. */
export function parsePage(query: Record<string, unknown>, timeField: string, defaultLimit = 50): PageQuery {
  const rawLimit = query.limit;
  let limit = defaultLimit;
  if (rawLimit !== undefined) {
    limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`limit` must be an integer from 1 to 500');
  }
  const before = query.before;
  if (before === undefined) return { limit, filter: {} };
  const match = typeof before === 'string' ? /^(\d{1,15})_([0-9a-f]{24})$/.exec(before) : null;
  if (!match) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`before` must be a cursor returned by a previous page');
  const time = new Date(Number(match[1]));
  const id = new ObjectId(match[2]);
  return { limit, time, filter: { $or: [{ [timeField]: { $lt: time } }, { [timeField]: time, _id: { $lt: id } }] } };
}

/** The cursor that continues after `last`, or `null` when the page was not full. */
export function nextCursor(items: Array<{ _id: ObjectId } & Document>, limit: number, timeField: string): string | null {
  if (items.length < limit) return null;
  const last = items[items.length - 1]!;
  return `${(last[timeField] as Date).getTime()}_${last._id.toHexString()}`;
}
