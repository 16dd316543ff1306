// Integration test: reporting webhooks a stop or a crash left stored but unapplied are applied by the next start's
// sweep, once (issue 7 §3: answered at once, applied in the background, never lost).
import { describe, it, expect } from 'vitest';
import express from 'express';
import request from 'supertest';
import { ObjectId } from 'mongodb';
import { chameleonHooks } from '../../lib/index.js';
import { useTestDb } from '../helpers/db.js';
import { ACCOUNT } from '../helpers/accounts.js';
import { watchingLogger } from '../setup/secret-watch.js';
import { until } from './support/delivery.js';
import { reportingWebhook } from './support/customerio-reports.js';

describe('unapplied Customer.io reports', () => {
  it('should be applied by the sweep at the next start, each event stored once', async () => {
    const db = await useTestDb();
    const reports = db.db.collection('chameleon_customerio_reports');
    // As a process killed between storing and applying them would leave them.
    const left = [0, 1, 2].map((i) => ({ id: new ObjectId(), body: reportingWebhook({ event_id: `left-${i}` }, { identifiers: { id: 'crashed-user' } }) }));
    await reports.insertMany(
      left.map(({ id, body }) => ({
        _id: id,
        key: `${ACCOUNT.id}|${String(body.event_id)}`,
        account: ACCOUNT.id,
        event_id: body.event_id,
        object_type: 'email',
        metric: 'opened',
        body: JSON.stringify(body),
        received_at: new Date(Date.now() - 120_000),
        processed_at: null,
        outcome: null,
        error: null,
      })),
    );
    const hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, accounts: [ACCOUNT], logger: watchingLogger() });
    const app = express().use(hooks);
    try {
      await hooks.ready();
      await until(async () => (await reports.countDocuments({ processed_at: null })) === 0, 20_000, 'the sweep to apply the reports');
      expect(await reports.countDocuments({ outcome: 'event' })).toBe(3);
      const profile = (await request(app).get('/v3/analyze/profile?uid=crashed-user').set('X-Account-Secret', ACCOUNT.secret).expect(200)).body.profile;
      const events = (await request(app).get(`/v3/analyze/profiles/${profile.id as string}/events`).set('X-Account-Secret', ACCOUNT.secret).expect(200)).body.events;
      expect(events.map((e: { id: string }) => e.id).sort()).toEqual(left.map((l) => l.id.toHexString()).sort());
      // Applied again (a second process's sweep), nothing changes.
      await reports.updateMany({}, { $set: { processed_at: null, received_at: new Date(Date.now() - 120_000) } });
      const second = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, accounts: [ACCOUNT], logger: watchingLogger() });
      await second.ready();
      await until(async () => (await reports.countDocuments({ processed_at: null })) === 0, 20_000, 'the second sweep');
      await second.close();
      expect(await db.db.collection('chameleon_events').countDocuments({ 'props.cio_event_id': /^left-/ })).toBe(3);
    } finally {
      await hooks.close();
    }
  }, 60_000);
});
