/**
 * A host that already runs Agenda passes its own instance: the package defines its job on it,
 * deliveries retry through it, and stale locks are cleared in the host's own jobs collection.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { createTestApp, ACCOUNT } from '../helpers/app.js';
import { useTestDb } from '../helpers/db.js';
import { startReceiver } from '../helpers/receiver.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';

describe('a host-provided Agenda instance', () => {
  it('should run the delivery retries on the host Agenda and clear stale locks in its collection', async () => {
    const hostDb = await useTestDb('hostagenda');
    const jobs = hostDb.db.collection('host_jobs');
    await jobs.insertOne({ name: 'chameleon-hooks:attempt', data: {}, type: 'normal', priority: 0, nextRunAt: new Date(Date.now() + 3_600_000), lockedAt: new Date(Date.now() - 3_600_000) });
    const agenda = new Agenda({ backend: new MongoBackend({ mongo: hostDb.db, collection: 'host_jobs' }), processEvery: 50, removeOnComplete: true });
    let failFirst = true;
    const receiver = await startReceiver((_req, body) => {
      const kind = JSON.parse(body.toString()).kind;
      if (kind === 'tour.started' && failFirst) {
        failFirst = false;
        return { status: 500 };
      }
      return { status: 200 };
    });
    afterAll(() => receiver.close());
    const t = await createTestApp({ agenda, delivery: { allowHttp: true, allowPrivateNetworks: true, retrySchedule: [100], jitter: 0, sweepIntervalMs: 200 } });
    afterAll(() => agenda.stop());
    expect(t.hooks.agenda).toBe(agenda);
    expect(await jobs.countDocuments({ lockedAt: { $ne: null } })).toBe(0); // the stale lock is gone
    await agenda.start(); // the host starts its own Agenda
    await t.hooks.endpoints.create(ACCOUNT.id, { url: receiver.url, topics: ['tour.started'] });
    const { id } = await t.hooks.publish(ACCOUNT.id, 'tour.started', loadFixture('tour.started').data as never);
    const deliveries = t.db.db.collection('chameleon_deliveries');
    const deadline = Date.now() + 15_000;
    let doc = await deliveries.findOne({ topic: 'tour.started' });
    while (doc?.state !== 'succeeded' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      doc = await deliveries.findOne({ topic: 'tour.started' });
    }
    expect(doc).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(doc!.attempt_log.map((a: { trigger: string }) => a.trigger)).toEqual(['publish', 'retry']);
    expect(receiver.requests.filter((r) => JSON.parse(r.body.toString()).id === id)).toHaveLength(2);
  });
});
