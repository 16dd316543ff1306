// Tests for lib/delivery/deliveries/delivery-pages.ts: a page of an account's deliveries read in
// creation-time windows sized from the hourly counts is exactly the page one query over all
// time gives, for every filter, cursor and page size, even when the counts are wrong.
import { describe, it, expect, beforeAll } from 'vitest';
import { ObjectId } from 'mongodb';
import { useTestDb } from '../helpers/db.js';
import { Collections } from '../../lib/store/collections.js';
import { DeliveryClaims } from '../../lib/delivery/deliveries/delivery-claims.js';
import { newDelivery } from '../../lib/delivery/deliveries/delivery-fields.js';
import { DeliveryReads, type DeliveryQuery } from '../../lib/delivery/deliveries/delivery-reads.js';
import { deliveryPage, estimatorFor, windowStart, type PageSources } from '../../lib/delivery/deliveries/delivery-pages.js';
import type { HourCounts } from '../../lib/delivery/deliveries/delivery-stats.js';
import type { DeliveryDoc, DeliveryState } from '../../lib/delivery/deliveries/documents.js';
import { nextCursor, parsePage } from '../../lib/http/pagination.js';

const HOUR = 3_600_000;
const ACCOUNT = 'pages';
const NOW = new Date(Math.floor(Date.UTC(2026, 10, 27, 12) / HOUR) * HOUR + 17 * 60_000);
const ENDPOINTS = [new ObjectId(), new ObjectId(), new ObjectId()];
let repo: DeliveryReads;
let trueCounts: HourCounts[];

beforeAll(async () => {
  const { db } = await useTestDb();
  const collections = new Collections(db, 'pages_');
  await collections.ensureIndexes();
  repo = new DeliveryReads(collections.get<DeliveryDoc>('deliveries'));
  const docs: DeliveryDoc[] = [];
  const states: DeliveryState[] = ['succeeded', 'succeeded', 'failed', 'pending', 'succeeded', 'cancelled'];
  // 700 deliveries over 12 days, denser lately; two created at the very same time (ties broken by _id).
  for (let i = 0; i < 700; i++) {
    const at = new Date(NOW.getTime() - Math.floor((i * i) / 700) * 25 * 60_000 - (i % 7) * 1000);
    const d = newDelivery({ account: ACCOUNT, webhookId: new ObjectId(), destination: { kind: 'endpoint', id: ENDPOINTS[i % 3]! }, topic: i % 4 === 0 ? 'tour.completed' : 'tour.started', maxAttempts: 10, trigger: 'publish' }, at, 0, false);
    d.state = states[i % states.length]!;
    if (d.state === 'pending' && i % 12 === 3) d.last_error = 'HTTP 500';
    if (d.state === 'pending' && i % 12 === 9) Object.assign(d, { held: true, attempts: 0, next_attempt_at: null, order_key: `${ENDPOINTS[i % 3]!.toHexString()}|p${i % 5}` });
    docs.push(d);
  }
  docs.push({ ...docs[0]!, _id: new ObjectId(), rev: new ObjectId() });
  // Another account's deliveries never show.
  docs.push(newDelivery({ account: 'other', webhookId: new ObjectId(), destination: { kind: 'endpoint', id: ENDPOINTS[0]! }, topic: 'tour.started', maxAttempts: 10, trigger: 'publish' }, NOW, 0, false));
  await new DeliveryClaims(collections.get<DeliveryDoc>('deliveries')).insert(docs);
  const byHour = new Map<number, HourCounts>();
  for (const d of docs.filter((x) => x.account === ACCOUNT)) {
    const h = Math.floor(d.created_at.getTime() / HOUR) * HOUR;
    const c = byHour.get(h) ?? { hour: new Date(h), succeeded: 0, retrying: 0, failed: 0 };
    c.succeeded += 1;
    byHour.set(h, c);
  }
  trueCounts = [...byHour.values()];
});

/** Sources with the given hourly counts (true, none, or wrong), counting the reads of deliveries. */
function sources(counts: () => HourCounts[]): PageSources & { reads: number } {
  const s = {
    reads: 0,
    deliveries: { page: (...args: Parameters<DeliveryReads['page']>) => ((s.reads += 1), repo.page(...args)) },
    hourly: async (_account: string, since: Date, until: Date) => counts().filter((c) => c.hour >= new Date(Math.floor(since.getTime() / HOUR) * HOUR) && c.hour <= until),
  };
  return s;
}

/** Every page of a query, following the cursors, by `read`. */
async function walk(read: (q: DeliveryQuery) => Promise<DeliveryDoc[]>, base: Omit<DeliveryQuery, 'limit'>, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let before: string | null | undefined;
  do {
    const page = parsePage(before ? { before } : {}, 'created_at', limit);
    const docs = await read({ ...base, cursor: page.filter, ...(page.time ? { cursorTime: page.time } : {}), limit: page.limit });
    pages.push(docs.map((d) => d._id.toHexString()));
    before = nextCursor(docs, limit, 'created_at');
  } while (before && pages.length < 400);
  return pages;
}

const FILTERS: Array<[string, Omit<DeliveryQuery, 'limit'>]> = [
  ['none', {}],
  ['one endpoint', { destinationId: ENDPOINTS[1] }],
  ['failed', { state: 'failed' }],
  ['retrying (rare)', { state: 'retrying' }],
  ['held (ordered, waiting)', { state: 'held' }],
  ['pending (not held)', { state: 'pending' }],
  ['endpoint + topic + cancelled', { destinationId: ENDPOINTS[2], topic: 'tour.completed', state: 'cancelled' }],
  ['from 2 days ago', { from: new Date(NOW.getTime() - 48 * HOUR) }],
  ['a range in the past', { from: new Date(NOW.getTime() - 200 * HOUR), to: new Date(NOW.getTime() - 20 * HOUR) }],
  ['nothing matches', { topic: 'no.such.topic' }],
];

describe('deliveryPage', () => {
  it.each(FILTERS)('should give exactly the pages of one query over all time (%s)', async (_name, filters) => {
    for (const limit of [4, 25]) {
      const expected = await walk((q) => repo.page(ACCOUNT, q), filters, limit);
      expect(expected.flat().length).toBe(new Set(expected.flat()).size);
      for (const counts of [() => trueCounts, () => [], () => trueCounts.map((c) => ({ ...c, succeeded: c.succeeded * 50 })), () => trueCounts.map((c) => ({ ...c, succeeded: 0, failed: 1 }))]) {
        const s = sources(counts);
        expect(await walk((q) => deliveryPage(s, ACCOUNT, q, NOW), filters, limit)).toEqual(expected);
      }
    }
  });

  it('should read the newest page in one windowed query when the window holds it', async () => {
    const s = sources(() => trueCounts);
    const docs = await deliveryPage(s, ACCOUNT, { limit: 5 }, NOW);
    expect(docs).toHaveLength(5);
    expect(s.reads).toBe(1);
    const rare = sources(() => trueCounts);
    // Nothing matches in the window: then once more, in everything older.
    expect(await deliveryPage(rare, ACCOUNT, { limit: 5, topic: 'no.such.topic' }, NOW)).toEqual([]);
    expect(rare.reads).toBe(2);
  });

  it.each([
    ['pending', { state: 'pending' as const }],
    ['cancelled', { state: 'cancelled' as const }],
    ["one endpoint's failures", { destinationId: ENDPOINTS[0], state: 'failed' as const }],
  ])('should read a filter the counts cannot size (%s) in one query over all time', async (_name, filters) => {
    const s = sources(() => trueCounts);
    expect(await deliveryPage(s, ACCOUNT, { ...filters, limit: 5 }, NOW)).toEqual(await repo.page(ACCOUNT, { ...filters, limit: 5 }));
    expect(s.reads).toBe(1);
  });

  it('should size the window of failed or retrying deliveries by their own counts', async () => {
    const failedOnly = trueCounts.map((c) => ({ ...c, failed: c.succeeded, succeeded: 0 }));
    const s = sources(() => failedOnly);
    const failed = await deliveryPage(s, ACCOUNT, { state: 'failed', limit: 3 }, NOW);
    expect(failed).toEqual(await repo.page(ACCOUNT, { state: 'failed', limit: 3 }));
    const none = sources(() => trueCounts); // no failures counted at all: no window, one query
    await deliveryPage(none, ACCOUNT, { state: 'failed', limit: 3 }, NOW);
    expect(none.reads).toBe(1);
  });
});

describe('page', () => {
  it('should tell held deliveries from pending ones: each pending delivery is in exactly one of the two', async () => {
    const held = await repo.page(ACCOUNT, { state: 'held', limit: 500 });
    const pending = await repo.page(ACCOUNT, { state: 'pending', limit: 500 });
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((d) => d.state === 'pending' && d.held === true)).toBe(true);
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.some((d) => d.held === true)).toBe(false);
    const all = await repo.page(ACCOUNT, { limit: 1000 });
    expect(held.length + pending.length).toBe(all.filter((d) => d.state === 'pending').length);
  });
});

describe('windowStart', () => {
  const h = (hoursAgo: number, n: number): HourCounts => ({ hour: new Date(NOW.getTime() - hoursAgo * HOUR), succeeded: n, retrying: 0, failed: 0 });

  it('should go back hour by hour from the upper bound until the counts reach what is wanted', () => {
    expect(windowStart([h(3, 10), h(0, 4), h(1, 5)], NOW, 9)).toEqual(h(1, 0).hour);
    expect(windowStart([h(3, 10), h(0, 4), h(1, 5)], NOW, 4)).toEqual(h(0, 0).hour);
    expect(windowStart([h(3, 10), h(0, 4), h(1, 5)], NOW, 100)).toBeNull();
    expect(windowStart([], NOW, 1)).toBeNull();
  });

  it('should skip hours after the upper bound (a cursor in the past)', () => {
    expect(windowStart([h(0, 100), h(5, 3), h(6, 3)], new Date(NOW.getTime() - 4 * HOUR), 5)).toEqual(h(6, 0).hour);
  });
});

describe('estimatorFor', () => {
  const hour: HourCounts = { hour: NOW, succeeded: 5, retrying: 3, failed: 2 };

  it('should count what each filter can match', () => {
    expect(estimatorFor({})!(hour)).toBe(10);
    expect(estimatorFor({ state: 'succeeded', destinationId: ENDPOINTS[0] })!(hour)).toBe(10);
    expect(estimatorFor({ state: 'failed' })!(hour)).toBe(2);
    expect(estimatorFor({ state: 'retrying' })!(hour)).toBe(3);
    expect(estimatorFor({ state: 'pending' })).toBeNull();
    expect(estimatorFor({ state: 'skipped' })).toBeNull();
    expect(estimatorFor({ state: 'retrying', destinationId: ENDPOINTS[0] })).toBeNull();
  });
});
