/**
 * Three host processes share one backlog made due at once: their due drains read the same pages
 * and claim by compare-and-set on each delivery's `rev`. Every delivery is sent once and recorded
 * once, with one attempt counted, and the work is shared between the processes.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ObjectId, type Collection } from 'mongodb';
import { useTestDb, type TestDb } from '../helpers/db.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';
import { startHost, successesByProcess, type Host } from './host-harness.js';
import { until } from '../helpers/until.js';
import { newDelivery } from '../../lib/delivery/deliveries/delivery-fields.js';
import type { DeliveryDoc, WebhookDoc } from '../../lib/delivery/deliveries/documents.js';

const BACKLOG = 600;
const options = {
  collectionPrefix: 'shared_',
  delivery: { allowHttp: true, allowPrivateNetworks: true, timeoutMs: 5000, retrySchedule: [600_000], pollIntervalMs: 100, concurrency: 16, perEndpointConcurrency: 16 },
};

describe('three processes draining one backlog', () => {
  let db: TestDb;
  let deliveries: Collection<DeliveryDoc>;
  let receiver: Receiver;
  const hosts: Host[] = [];

  beforeAll(async () => {
    db = await useTestDb('shared');
    deliveries = db.db.collection<DeliveryDoc>('shared_deliveries');
    receiver = await startReceiver(() => ({ status: 200, delayMs: 2 }));
  });
  afterAll(async () => {
    for (const h of hosts) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await receiver.close();
  });

  it('should send and record each delivery once, one attempt each, the work shared', async () => {
    for (let i = 0; i < 3; i++) hosts.push(await startHost(db.uri, db.dbName, options));
    const endpoint = await hosts[0]!.call<{ id: string }>('createEndpoint', { url: receiver.url, topics: ['tour.started'] });
    // The backlog, written as publish writes deferred deliveries, due in an hour: nothing is sent yet.
    const data = loadFixture('tour.started').data;
    const now = new Date();
    const webhooks: WebhookDoc[] = [];
    const docs: DeliveryDoc[] = [];
    for (let i = 0; i < BACKLOG; i++) {
      const webhook: WebhookDoc = { _id: new ObjectId(), account: 'acme', topic: 'tour.started', data, created_at: now };
      webhooks.push(webhook);
      const doc = newDelivery({ account: 'acme', webhookId: webhook._id, destination: { kind: 'endpoint', id: new ObjectId(endpoint.id) }, topic: 'tour.started', maxAttempts: 2, trigger: 'publish' }, now, 0, false);
      doc.next_attempt_at = new Date(now.getTime() + 3_600_000);
      docs.push(doc);
    }
    await db.db.collection<WebhookDoc>('shared_webhooks').insertMany(webhooks);
    await deliveries.insertMany(docs);
    const pings = receiver.requests.length;

    await deliveries.updateMany({ state: 'pending' }, { $set: { next_attempt_at: new Date() } });
    await until(async () => (await deliveries.countDocuments({ state: 'succeeded', topic: 'tour.started' })) === BACKLOG, 120_000, 'the backlog to drain');

    const sent = new Map<string, number>();
    for (const r of receiver.requests.slice(pings)) {
      const { id, kind } = JSON.parse(r.body.toString('utf8')) as { id: string; kind: string };
      // The endpoint's creation ping is sent on its own time and may arrive after `pings` was read.
      if (kind !== 'ping') sent.set(id, (sent.get(id) ?? 0) + 1);
    }
    expect(sent.size).toBe(BACKLOG);
    expect([...sent.values()].filter((n) => n !== 1)).toEqual([]);
    const wrong = await deliveries.find({ topic: 'tour.started', $or: [{ attempts: { $ne: 1 } }, { 'attempt_log.1': { $exists: true } }, { rev: { $exists: true } }] }).toArray();
    expect(wrong).toEqual([]);
    const byProcess = await successesByProcess(db.db.collection('shared_deliveries'), 'tour.started');
    expect([...byProcess.values()].reduce((a, b) => a + b, 0)).toBe(BACKLOG);
    expect(byProcess.size).toBeGreaterThanOrEqual(2);
    console.log('[fault] shared drain: successful attempts per process:', Object.fromEntries(byProcess));
    await Promise.all(hosts.map((h) => h.call('close')));
  }, 240_000);
});
