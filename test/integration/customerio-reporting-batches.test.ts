// Integration test: stored Customer.io reports are applied in coalesced batches (issue 7 §3 and the
// reporting-webhook throughput goal): a stream of reports costs a few full batches, not one small batch
// per request, and a partial batch waits for the linger time. Real ReportsRepo, ingest and database.
import { describe, it, expect } from 'vitest';
import { Collections } from '../../lib/store/collections.js';
import { Bookkeeper } from '../../lib/catalogue/bookkeeper.js';
import { createIngestDeps } from '../../lib/ingest/deps.js';
import { SILENT_LOGGER } from '../../lib/logger.js';
import { ReportsRepo, type ReportDoc } from '../../lib/integrations/customerio/reporting/reports-repo.js';
import { ReportProcessor } from '../../lib/integrations/customerio/reporting/processor.js';
import { useTestDb } from '../helpers/db.js';
import { until } from '../helpers/until.js';
import { reportingWebhook } from './support/customerio-reports.js';

async function setUp(options: { batchSize: number; lingerMs: number }) {
  const { db } = await useTestDb();
  const collections = new Collections(db, 'chameleon_');
  await collections.ensureIndexes();
  const bookkeeper = new Bookkeeper(collections, { flushIntervalMs: 60_000, logger: SILENT_LOGGER });
  const deps = createIngestDeps(collections, bookkeeper, { valueBytes: 768, propertiesPerItem: 1000 });
  const reports = collections.get<ReportDoc>('customerio_reports');
  const repo = new ReportsRepo(reports);
  // No sweep timer in these tests (start() is not called): only what is enqueued is applied.
  const processor = new ReportProcessor(repo, deps, SILENT_LOGGER, { batchSize: options.batchSize, maxQueued: 10_000, sweepIntervalMs: 60_000, sweepAgeMs: 60_000, lingerMs: options.lingerMs });
  /** Stores one report as the route does; `enqueue` then hands it to the processor, with its parsed body or without. */
  const store = async (n: number) => {
    const body = reportingWebhook({ event_id: `batch-${n}` }, { identifiers: { id: `person-${n % 7}` } });
    const doc = await repo.insert({ account: 'acme', eventId: String(body.event_id), objectType: 'email', metric: 'opened', body: JSON.stringify(body), receivedAt: new Date() });
    expect(doc).toBeDefined();
    return { enqueue: (withParsed = true) => processor.enqueue(doc!, withParsed ? body : undefined) };
  };
  const receive = async (n: number, withParsed = true) => (await store(n)).enqueue(withParsed);
  /** Each batch records its outcomes with one time: distinct processed_at values are the batches, `[time, size]` in order. */
  const batchSizes = async () => {
    const docs = await reports.find({ processed_at: { $ne: null } }, { projection: { processed_at: 1 } }).toArray();
    const sizes = new Map<number, number>();
    for (const d of docs) sizes.set(d.processed_at!.getTime(), (sizes.get(d.processed_at!.getTime()) ?? 0) + 1);
    return [...sizes.entries()].sort((a, b) => a[0] - b[0]);
  };
  return { db, reports, processor, store, receive, batchSizes };
}

describe('Customer.io report batches', () => {
  it('should apply a stream of reports in full batches, and the remainder once the linger time has passed', async () => {
    const { db, reports, processor, store, batchSizes } = await setUp({ batchSize: 40, lingerMs: 3000 });
    try {
      // Stored first, then handed over as fast as requests could: the count, not the machine's speed, decides.
      const stored = [];
      for (let n = 0; n < 100; n++) stored.push(await store(n));
      for (const s of stored) s.enqueue();
      await until(async () => (await reports.countDocuments({ processed_at: { $ne: null } })) >= 80, 20_000, 'two full batches');
      // The 20 left over wait for the linger time (3 s after the second batch), not applied one by one.
      expect(await reports.countDocuments({ processed_at: null })).toBe(20);
      await until(async () => (await reports.countDocuments({ processed_at: null })) === 0, 20_000, 'the partial batch');
      const batches = await batchSizes();
      expect(batches.map(([, size]) => size)).toEqual([40, 40, 20]);
      // The partial batch waited for the linger time after the second one (it was not applied as soon as it could be).
      expect(batches[2]![0] - batches[1]![0]).toBeGreaterThanOrEqual(2900);
      expect(await reports.countDocuments({ outcome: 'event', error: null })).toBe(100);
      expect(await db.collection('chameleon_events').countDocuments({})).toBe(100);
    } finally {
      await processor.stop();
    }
  }, 60_000);

  it('should apply a report queued without its parsed body (from the sweep) like one with it', async () => {
    const { db, reports, processor, receive } = await setUp({ batchSize: 500, lingerMs: 20 });
    try {
      await receive(1, true);
      await receive(2, false);
      await until(async () => (await reports.countDocuments({ processed_at: null })) === 0, 20_000, 'both reports');
      const events = await db.collection('chameleon_events').find({}, { sort: { 'props.cio_event_id': 1 } }).toArray();
      expect(events.map((e) => [e.name, e.props.cio_event_id, e.props.campaign_id])).toEqual([
        ['email_opened_customer_io', 'batch-1', 7],
        ['email_opened_customer_io', 'batch-2', 7],
      ]);
    } finally {
      await processor.stop();
    }
  }, 60_000);

  it('should record different outcomes and errors of one batch apart', async () => {
    const { reports, processor, receive } = await setUp({ batchSize: 500, lingerMs: 20 });
    const repo = new ReportsRepo(reports);
    try {
      await receive(1);
      // A report that names no person is skipped, one whose stored body is not JSON fails: same batch, other outcomes.
      const anonymous = reportingWebhook({ event_id: 'anon' }, { identifiers: {}, customer_id: undefined, email_address: undefined, recipient: undefined });
      const skipped = await repo.insert({ account: 'acme', eventId: 'anon', objectType: 'email', metric: 'opened', body: JSON.stringify(anonymous), receivedAt: new Date() });
      const broken = await repo.insert({ account: 'acme', eventId: 'broken', objectType: 'email', metric: 'opened', body: '{not json', receivedAt: new Date() });
      processor.enqueue(skipped!);
      processor.enqueue(broken!);
      await until(async () => (await reports.countDocuments({ processed_at: null })) === 0, 20_000, 'the batch');
      const byId = async (event_id: string) => reports.findOne({ event_id });
      expect(await byId('batch-1')).toMatchObject({ outcome: 'event', error: null });
      expect(await byId('anon')).toMatchObject({ outcome: 'skipped', error: expect.stringContaining('names no person') });
      expect(await byId('broken')).toMatchObject({ outcome: 'failed', error: 'The stored body is not JSON' });
    } finally {
      await processor.stop();
    }
  }, 60_000);
});
