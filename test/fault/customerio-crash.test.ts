/**
 * Fault test with real host processes: a `kill -9` while a Customer.io event request is in
 * flight, then a restart: the event is sent again with the same id and Customer.io keeps it once.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Collection, Document } from 'mongodb';
import { ObjectId } from 'mongodb';
import { useTestDb, type TestDb } from '../helpers/db.js';
import { startTrackApi, type TrackApi } from '../helpers/track-api.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';
import { startHost, type Host } from './host-harness.js';
import { until } from '../helpers/until.js';

const SITE = 'site_fault';
const KEY = 'key_fault_0123456789';
const options = {
  collectionPrefix: 'cio9_',
  delivery: { allowHttp: true, allowPrivateNetworks: true, timeoutMs: 1000, jitter: 0, pollIntervalMs: 100, sweepIntervalMs: 250, retrySchedule: [200, 200, 200] },
};


describe('Customer.io delivery across a kill -9', () => {
  let db: TestDb;
  let deliveries: Collection<Document>;
  let api: TrackApi;
  const hosts: Host[] = [];

  beforeAll(async () => {
    db = await useTestDb('fault');
    deliveries = db.db.collection('cio9_deliveries');
    api = await startTrackApi({ siteId: SITE, apiKey: KEY });
  });
  afterAll(async () => {
    for (const h of hosts) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await api.close();
  });

  it('should send the event again after a restart when the process was killed mid-request, and Customer.io has it once', async () => {
    const first = await startHost(db.uri, db.dbName, options);
    hosts.push(first);
    await first.call('setCustomerio', { site_id: SITE, api_key: KEY, track_url: api.baseUrl });
    // The event request is held (never answered): the process dies waiting for it.
    api.holdNextEvent();
    const tour = loadFixture('tour.started').data;
    const { id } = await first.call<{ id: string }>('publish', 'tour.started', tour);
    await until(() => api.requests.some((r) => r.method === 'POST' && r.headers['x-chameleon-id'] === id), 10_000, 'the event request');
    await first.kill9();

    const second = await startHost(db.uri, db.dbName, options);
    hosts.push(second);
    const done = await until(async () => {
      const doc = await deliveries.findOne({ webhook_id: new ObjectId(id) });
      return doc?.state === 'succeeded' ? doc : undefined;
    }, 90_000, 'the delivery to succeed after the restart');
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const sends = api.requests.filter((r) => r.method === 'POST' && r.headers['x-chameleon-id'] === id);
    expect(sends.length).toBeGreaterThanOrEqual(2);
    const ids = new Set(sends.map((r) => (JSON.parse(r.body.toString()) as { id: string }).id));
    expect(ids.size).toBe(1); // the same event id every time
    expect(api.events.filter((e) => e.id === [...ids][0])).toHaveLength(1);
    await second.call('close');
  }, 150_000);
});
