// Integration test: reporting webhooks received in the same event-loop turn are stored with one
// `insertMany` (group commit), and each request still learns its own outcome: stored, or a duplicate
// of a report stored before or earlier in the same group. Real ReportsRepo, GroupCommit and database.
import { describe, it, expect } from 'vitest';
import { Collections } from '../../lib/store/collections.js';
import { GroupCommit } from '../../lib/store/group-commit.js';
import { ReportsRepo, type NewReport, type ReportDoc } from '../../lib/integrations/customerio/reporting/reports-repo.js';
import { useTestDb } from '../helpers/db.js';

async function setUp() {
  const { db } = await useTestDb();
  const collections = new Collections(db, 'chameleon_');
  await collections.ensureIndexes();
  const reports = collections.get<ReportDoc>('customerio_reports');
  const repo = new ReportsRepo(reports);
  const groups: number[] = [];
  const inserts = new GroupCommit<NewReport, ReportDoc | undefined>((group) => {
    groups.push(group.length);
    return repo.insertMany(group);
  });
  const report = (account: string, eventId: string | undefined, body = `{"event_id":"${eventId ?? ''}"}`): NewReport => ({
    account,
    eventId,
    objectType: 'email',
    metric: 'opened',
    body,
    receivedAt: new Date(),
  });
  return { reports, repo, inserts, groups, report };
}

describe('Customer.io report inserts (group commit)', () => {
  it('should store a turn of reports in one insertMany and tell each submitter its own document', async () => {
    const { reports, inserts, groups, report } = await setUp();
    const stored = await Promise.all(Array.from({ length: 25 }, (_, i) => inserts.submit(report('acme', `e${i}`))));
    expect(groups).toEqual([25]);
    expect(stored.every((doc) => doc !== undefined)).toBe(true);
    expect(stored.map((doc) => doc!.event_id)).toEqual(Array.from({ length: 25 }, (_, i) => `e${i}`));
    const inDb = await reports.find({}).toArray();
    expect(inDb).toHaveLength(25);
    expect(new Set(inDb.map((d) => d._id.toHexString()))).toEqual(new Set(stored.map((d) => d!._id.toHexString())));
  });

  it('should answer a duplicate (stored before, or twice in one group) as undefined and store the rest of its group', async () => {
    const { reports, inserts, groups, report } = await setUp();
    expect(await inserts.submit(report('acme', 'old'))).toBeDefined();
    const outcomes = await Promise.all([
      inserts.submit(report('acme', 'new-1')),
      inserts.submit(report('acme', 'old')), // stored by an earlier group
      inserts.submit(report('acme', 'twice')),
      inserts.submit(report('acme', 'twice')), // the same key earlier in this group
      inserts.submit(report('other', 'old')), // another account's key
      inserts.submit(report('acme', undefined, '{"no":"id"}')),
      inserts.submit(report('acme', undefined, '{"no":"id"}')), // no event_id: deduplicated by the body's hash
    ]);
    expect(groups).toEqual([1, 7]);
    expect(outcomes.map((doc) => doc !== undefined)).toEqual([true, false, true, false, true, true, false]);
    expect(await reports.countDocuments({})).toBe(5);
    expect(await reports.countDocuments({ key: 'acme|twice' })).toBe(1);
  });

  it('should store the rest of a group whose command failed because of one report, and refuse only that one', async () => {
    const { reports, repo, report } = await setUp();
    // A body too large for one BSON document fails the whole insertMany before any write; then
    // each report is written alone (as the runtime's GroupCommit does), and only the large one fails.
    const failing = new GroupCommit<NewReport, ReportDoc | undefined>((group) => repo.insertMany(group));
    const huge = () => report('acme', 'huge', 'x'.repeat(17 * 1024 * 1024));
    const without = await Promise.allSettled([failing.submit(report('acme', 'ok-0')), failing.submit(huge())]);
    expect(without.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await reports.countDocuments({})).toBe(0);
    const withFallback = new GroupCommit<NewReport, ReportDoc | undefined>(
      (group) => repo.insertMany(group),
      (one) => repo.insert(one),
    );
    const settled = await Promise.allSettled([withFallback.submit(report('acme', 'ok')), withFallback.submit(huge())]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    expect(await reports.countDocuments({})).toBe(1);
    expect(await reports.countDocuments({ key: 'acme|ok' })).toBe(1);
  });
});
