// Tests for lib/delivery/deliveries/outcome-counts.ts: attempt outcomes counted per account and
// hour, coalesced in memory and written by key, read back for a time range.
import { describe, it, expect, beforeAll } from 'vitest';
import type { Collection } from 'mongodb';
import { useTestDb } from '../helpers/db.js';
import { Collections } from '../../lib/store/collections.js';
import { OutcomeCounts, type OutcomeCountDoc } from '../../lib/delivery/deliveries/outcome-counts.js';
import { SILENT_LOGGER } from '../../lib/logger.js';

const HOUR = 3_600_000;
let collection: Collection<OutcomeCountDoc>;

beforeAll(async () => {
  const { db } = await useTestDb();
  const collections = new Collections(db, 'chameleon_');
  await collections.ensureIndexes();
  collection = collections.get<OutcomeCountDoc>('delivery_counts');
});

describe('OutcomeCounts', () => {
  it('should count outcomes per account and hour, adding to what is stored', async () => {
    const counts = new OutcomeCounts(collection, { flushIntervalMs: 60_000, logger: SILENT_LOGGER });
    const base = Math.floor(Date.UTC(2026, 10, 27, 10) / HOUR) * HOUR;
    counts.record('a', new Date(base + 1000), 'succeeded');
    counts.record('a', new Date(base + 2000), 'succeeded');
    counts.record('a', new Date(base + HOUR + 5), 'retrying');
    counts.record('b', new Date(base + 10), 'failed');
    await counts.flush();
    counts.record('a', new Date(base + 3000), 'failed');
    const hours = await counts.hourly('a', new Date(base), new Date(base + 2 * HOUR));
    expect(hours.sort((x, y) => x.hour.getTime() - y.hour.getTime())).toEqual([
      { hour: new Date(base), succeeded: 2, retrying: 0, failed: 1 },
      { hour: new Date(base + HOUR), succeeded: 0, retrying: 1, failed: 0 },
    ]);
    expect(await counts.hourly('b', new Date(base), new Date(base + HOUR))).toEqual([{ hour: new Date(base), succeeded: 0, retrying: 0, failed: 1 }]);
    expect(await counts.hourly('c', new Date(base), new Date(base + HOUR))).toEqual([]);
    expect(await collection.countDocuments({})).toBe(3); // one document per account and hour
  });

  it('should write what is pending on stop', async () => {
    const counts = new OutcomeCounts(collection, { flushIntervalMs: 60_000, logger: SILENT_LOGGER });
    counts.start();
    counts.record('stop', new Date(0), 'succeeded');
    await counts.stop();
    expect(await collection.findOne({ key: 'stop|0' })).toMatchObject({ account: 'stop', succeeded: 1 });
  });
});
