/**
 * A page of an account's deliveries, newest first, read in at most two time windows. Why: a
 * query that matches every delivery of the account and sorts them to keep the newest few costs a
 * sort of all of them wherever no index serves the sort (the test server, mongo-java-server, has
 * none but unique-key lookups: about 270 ms at 100,000 deliveries). The hourly outcome counts
 * (one lookup by key) tell how far back the last ~{@link WINDOW_FACTOR}× a page of deliveries
 * go; the page is read in that window first and, only if the filters leave it short, once more
 * in everything older. A filter the counts cannot size (a rare state, a destination's failures)
 * is read in one query: it matches few deliveries, so its sort is cheap, and a window would only
 * add a second read. On MongoDB every read is a range of the `account_created` indexes; the
 * result is always the same page as one query over all time.
 */
import type { DeliveryReads, DeliveryQuery } from './delivery-reads.js';
import type { DeliveryDoc } from './documents.js';
import type { HourCounts } from './delivery-stats.js';

/** The first window holds about this many pages of the account's deliveries (before filters). */
export const WINDOW_FACTOR = 40;

const HOUR_MS = 60 * 60 * 1000;
/** How far back the counts are read to size the window; an account quieter than that gets one query. */
const LOOK_BACK_MS = 7 * 24 * HOUR_MS;

/**
 * The start of the shortest run of whole hours ending with the hour of `upper` whose counts
 * (by `count`: all outcomes unless told) add up to `want`, or `null` when they do not reach it.
 *
 * @example
 * windowStart([{ hour: new Date(0), succeeded: 5, retrying: 0, failed: 0 }], new Date(10), 3) // new Date(0)
 */
export function windowStart(hourly: readonly HourCounts[], upper: Date, want: number, count: (h: HourCounts) => number = (h) => h.succeeded + h.retrying + h.failed): Date | null {
  const byHour = [...hourly].sort((a, b) => b.hour.getTime() - a.hour.getTime());
  let seen = 0;
  for (const h of byHour) {
    if (h.hour > upper) continue;
    seen += count(h);
    if (seen >= want) return h.hour;
  }
  return null;
}

/**
 * How to count, from an hour's outcome counts, the deliveries a query may match; `null` when
 * they cannot tell (then no window). Topic and destination filters are taken as matching many.
 */
export function estimatorFor(q: Pick<DeliveryQuery, 'state' | 'destinationId'>): ((h: HourCounts) => number) | null {
  if (q.state === undefined || q.state === 'succeeded') return (h) => h.succeeded + h.retrying + h.failed;
  if (q.destinationId !== undefined) return null;
  if (q.state === 'failed') return (h) => h.failed;
  if (q.state === 'retrying') return (h) => h.retrying;
  return null;
}

/** What a page is read with: the deliveries and the account's hourly counts. */
export interface PageSources {
  deliveries: Pick<DeliveryReads, 'page'>;
  hourly(account: string, since: Date, until: Date): Promise<HourCounts[]>;
}

/** The page `q` of the account's deliveries, newest first (see the module comment). */
export async function deliveryPage(sources: PageSources, account: string, q: DeliveryQuery, now = new Date()): Promise<DeliveryDoc[]> {
  const estimate = estimatorFor(q);
  if (!estimate) return sources.deliveries.page(account, q);
  let upper = q.cursorTime ?? now;
  if (q.to && q.to < upper) upper = q.to;
  const hourly = await sources.hourly(account, new Date(upper.getTime() - LOOK_BACK_MS), upper);
  const start = windowStart(hourly, upper, q.limit * WINDOW_FACTOR, estimate);
  if (!start || (q.from && start <= q.from)) return sources.deliveries.page(account, q);
  const newest = await sources.deliveries.page(account, q, { since: start });
  if (newest.length >= q.limit) return newest;
  const older = await sources.deliveries.page(account, { ...q, limit: q.limit - newest.length }, { before: start });
  return [...newest, ...older];
}
