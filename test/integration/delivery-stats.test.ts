// Tests for lib/delivery/deliveries/delivery-stats.ts: attempt outcomes counted per account and
// hour, and destination health per destination and hour, coalesced in memory and written by key,
// read back for a time range (counts) or for many destinations at once (health).
import { describe, it, expect, beforeAll } from 'vitest';
import { ObjectId, type Collection } from 'mongodb';
import { useTestDb } from '../helpers/db.js';
import { Collections } from '../../lib/store/collections.js';
import { DeliveryStats, LATENCY_SAMPLES, type CountedOutcome, type OutcomeCountDoc } from '../../lib/delivery/deliveries/delivery-stats.js';
import type { DestinationHourDoc } from '../../lib/delivery/deliveries/health.js';
import type { AttemptLog } from '../../lib/delivery/deliveries/documents.js';
import { SILENT_LOGGER } from '../../lib/logger.js';

const HOUR = 3_600_000;
let collection: Collection<OutcomeCountDoc>;
let healthCollection: Collection<DestinationHourDoc>;
const SOMEWHERE = new ObjectId();

function log(at: Date, status: number | null, durationMs: number, error: string | null = null): AttemptLog {
  return { at, duration_ms: durationMs, status, response_body: null, error, error_kind: error ? 'status' : null, trigger: 'publish', by: 'test-1' };
}

/** Notes an outcome the way the attempt runner does (the log's own fields do not matter to the counts). */
function count(stats: DeliveryStats, account: string, at: Date, outcome: CountedOutcome): void {
  stats.record({ account, destinationId: SOMEWHERE, log: log(at, 200, 1), outcome, health: false });
}

function newStats(): DeliveryStats {
  return new DeliveryStats(collection, healthCollection, { flushIntervalMs: 60_000, logger: SILENT_LOGGER });
}

beforeAll(async () => {
  const { db } = await useTestDb();
  const collections = new Collections(db, 'chameleon_');
  await collections.ensureIndexes();
  collection = collections.get<OutcomeCountDoc>('delivery_counts');
  healthCollection = collections.get<DestinationHourDoc>('destination_stats');
});

describe('DeliveryStats: outcome counts', () => {
  it('should count outcomes per account and hour, adding to what is stored', async () => {
    const counts = newStats();
    const base = Math.floor(Date.UTC(2026, 10, 27, 10) / HOUR) * HOUR;
    count(counts, 'a', new Date(base + 1000), 'succeeded');
    count(counts, 'a', new Date(base + 2000), 'succeeded');
    count(counts, 'a', new Date(base + HOUR + 5), 'retrying');
    count(counts, 'b', new Date(base + 10), 'failed');
    await counts.flush();
    count(counts, 'a', new Date(base + 3000), 'failed');
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
    const counts = newStats();
    counts.start();
    count(counts, 'stop', new Date(0), 'succeeded');
    await counts.stop();
    expect(await collection.findOne({ key: 'stop|0' })).toMatchObject({ account: 'stop', succeeded: 1 });
  });
});

describe('DeliveryStats: destination health', () => {
  const now = new Date(Math.floor(Date.now() / HOUR) * HOUR + 30 * 60_000);
  const ago = (ms: number): Date => new Date(now.getTime() - ms);
  const note = (stats: DeliveryStats, id: ObjectId, l: AttemptLog, health = true): void => stats.record({ account: 'h', destinationId: id, log: l, outcome: null, health });

  it('should answer unknown for a destination never attempted, and for no destinations at all', async () => {
    const stats = newStats();
    const id = new ObjectId();
    const health = await stats.healthOf([id], now);
    expect(health.get(id.toHexString())).toEqual({
      status: 'unknown', attempts: 0, success_rate: null, latency_ms: { p50: null, p95: null, avg: null }, failures: { count: 0, last_at: null, last_error: null }, window: '24h',
    });
    expect((await stats.healthOf([], now)).size).toBe(0);
  });

  it('should add up hours across flushes and processes: rate, latency of successes only, the latest failure', async () => {
    const one = newStats();
    const other = newStats(); // a second process writing the same hours
    const id = new ObjectId();
    note(one, id, log(ago(3 * HOUR), 200, 100));
    note(one, id, log(ago(2 * HOUR), 500, 9000, 'HTTP 500'));
    note(other, id, log(ago(HOUR), null, 30_000, 'timeout'));
    note(one, id, log(ago(10_000), 204, 300));
    note(one, id, log(ago(5_000), 200, 200, null), false); // a skip: says nothing of the destination
    await other.flush();
    const health = (await one.healthOf([id], now)).get(id.toHexString())!;
    expect(health).toEqual({
      status: 'active',
      attempts: 4,
      success_rate: 0.5,
      latency_ms: { p50: 300, p95: 300, avg: 200 },
      failures: { count: 2, last_at: ago(HOUR).toISOString(), last_error: 'timeout' },
      window: '24h',
    });
    note(other, id, log(ago(1000), 503, 50, 'HTTP 503'));
    await other.flush();
    expect((await one.healthOf([id], now)).get(id.toHexString())).toMatchObject({ status: 'inactive', attempts: 5, failures: { count: 3, last_error: 'HTTP 503' } });
  });

  it('should keep the latest failure and attempt whichever process flushes last', async () => {
    const id = new ObjectId();
    const late = newStats();
    const early = newStats();
    note(late, id, log(ago(1000), 500, 10, 'newest'));
    note(early, id, log(ago(50_000), 500, 10, 'older'));
    note(early, id, log(ago(40_000), 200, 10));
    await late.flush();
    await early.flush();
    const health = (await early.healthOf([id], now)).get(id.toHexString())!;
    expect(health.failures.last_error).toBe('newest');
    expect(health.status).toBe('inactive');
  });

  it('should leave out attempts older than the window (by the hour), and keep destinations apart', async () => {
    const stats = newStats();
    const a = new ObjectId();
    const b = new ObjectId();
    note(stats, a, log(ago(26 * HOUR), 500, 10, 'too old'));
    note(stats, a, log(ago(HOUR), 200, 40));
    note(stats, b, log(ago(HOUR), 500, 10, 'b only'));
    const health = await stats.healthOf([a, b], now);
    expect(health.get(a.toHexString())).toMatchObject({ attempts: 1, success_rate: 1, failures: { count: 0 } });
    expect(health.get(b.toHexString())).toMatchObject({ attempts: 1, success_rate: 0, status: 'inactive', failures: { last_error: 'b only' } });
  });

  it('should keep the latest latencies of an hour, at most LATENCY_SAMPLES', async () => {
    const stats = newStats();
    const id = new ObjectId();
    for (let i = 0; i < LATENCY_SAMPLES + 50; i++) note(stats, id, log(ago(60_000 - i), 200, i < 50 ? 10_000 : 20));
    await stats.flush();
    for (let i = 0; i < 10; i++) note(stats, id, log(ago(1000), 200, 20));
    await stats.flush();
    const [doc] = await healthCollection.find({ destination: id }).toArray();
    expect(doc!.ok_ms).toHaveLength(LATENCY_SAMPLES);
    expect(doc!.ok_ms.every((ms) => ms === 20)).toBe(true);
    expect(doc!.attempts).toBe(LATENCY_SAMPLES + 60);
    const health = (await stats.healthOf([id], now)).get(id.toHexString())!;
    expect(health.latency_ms.p95).toBe(20);
    expect(health.latency_ms.avg).toBe(Math.round((50 * 10_000 + (LATENCY_SAMPLES + 10) * 20) / (LATENCY_SAMPLES + 60)));
  });
});
