/**
 * The due drain: deliveries that are due (retries whose time has come, attempts a crash
 * interrupted, a backlog made due at once) are attempted in-process under the same limiter as
 * first attempts, each once; no Agenda job is created for them (Agenda keeps delayed retries only).
 */
import { describe, it, expect } from 'vitest';
import { ObjectId } from 'mongodb';
import { ACCOUNT } from '../helpers/app.js';
import { newDelivery } from '../../lib/delivery/deliveries/delivery-fields.js';
import type { DeliveryDoc, WebhookDoc } from '../../lib/delivery/deliveries/documents.js';
import { AUTH, collections, createEndpoint, fastDelivery, nonPings, requestsFor, sleep, topicData, until, useDeliveryApp, useReceivers } from './support/delivery.js';

const BACKLOG = 150;

describe('the due drain', () => {
  // A 10-minute retry step: only the drain can explain a second attempt within the test.
  const t = useDeliveryApp({ retrySchedule: [600_000], perEndpointConcurrency: 4, concurrency: 16, pollIntervalMs: 100 }, { deleteEndpointsAfterEach: [AUTH] });
  const receiver = useReceivers();

  async function writeDue(endpointId: string, count: number, shape: (doc: DeliveryDoc, i: number) => void = () => undefined): Promise<WebhookDoc[]> {
    const { webhooks, deliveries } = collections(t.db.db);
    const now = new Date();
    const hooks: WebhookDoc[] = [];
    const docs: DeliveryDoc[] = [];
    for (let i = 0; i < count; i++) {
      const webhook: WebhookDoc = { _id: new ObjectId(), account: ACCOUNT.id, topic: 'tour.started', data: topicData('tour.started'), created_at: now };
      hooks.push(webhook);
      const doc = newDelivery({ account: ACCOUNT.id, webhookId: webhook._id, destination: { kind: 'endpoint', id: new ObjectId(endpointId) }, topic: 'tour.started', maxAttempts: 2, trigger: 'publish' }, now, 0, false);
      doc.next_attempt_at = new Date(now.getTime() + 3_600_000); // not due yet
      shape(doc, i);
      docs.push(doc);
    }
    await webhooks.insertMany(hooks);
    await deliveries.insertMany(docs);
    return hooks;
  }

  it('should deliver a backlog made due at once, each once, under the per-endpoint limit, with no Agenda job', async () => {
    let inFlight = 0;
    let peak = 0;
    const target = await receiver(async () => {
      peak = Math.max(peak, ++inFlight);
      await sleep(5);
      inFlight--;
      return { status: 200 };
    });
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const hooks = await writeDue(endpoint.id, BACKLOG);
    const jobs = t.db.db.collection('chameleon_jobs');
    const jobsBefore = await jobs.countDocuments({});
    const { deliveries } = collections(t.db.db);
    await deliveries.updateMany({ endpoint_id: new ObjectId(endpoint.id), state: 'pending' }, { $set: { next_attempt_at: new Date() } });

    await until(async () => (await deliveries.countDocuments({ endpoint_id: new ObjectId(endpoint.id), topic: 'tour.started', state: 'succeeded' })) === BACKLOG, 60_000, 'the backlog to drain');
    for (const h of hooks) expect(requestsFor(target, h._id.toHexString())).toHaveLength(1);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1); // attempted side by side, not one job at a time
    expect(await jobs.countDocuments({})).toBe(jobsBefore);
    const sample = await deliveries.findOne({ webhook_id: hooks[0]!._id });
    expect(sample!.attempt_log.map((a) => a.trigger)).toEqual(['publish']);
  }, 120_000);

  it('should take up an attempt a crash interrupted once its lease has run out, as a recovery', async () => {
    const target = await receiver(() => ({ status: 200 }));
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const past = new Date(Date.now() - 60_000);
    // One was claimed by a process that died (lease over), one is held by a live attempt elsewhere.
    const [dead, alive] = await writeDue(endpoint.id, 2, (doc, i) => {
      doc.attempts = 1;
      doc.next_attempt_at = past;
      doc.lease_until = i === 0 ? new Date(Date.now() - 1000) : new Date(Date.now() + 600_000);
    });
    const { deliveries } = collections(t.db.db);
    const recovered = await until(async () => {
      const d = await deliveries.findOne({ webhook_id: dead!._id });
      return d?.state === 'succeeded' ? d : undefined;
    }, 10_000, 'the recovery');
    expect(recovered.attempt_log.map((a) => a.trigger)).toEqual(['recovery']);
    expect(recovered.attempts).toBe(2);
    await sleep(400); // several polls
    expect(requestsFor(target, alive!._id.toHexString())).toHaveLength(0);
    expect((await deliveries.findOne({ webhook_id: alive!._id }))!.state).toBe('pending');
  });

  it('should answer a retry whose job is far away once it is due, and leave the stale job doing nothing', async () => {
    let calls = 0;
    const target = await receiver((_req, body) => ({ status: JSON.parse(body.toString()).kind === 'ping' || calls++ > 0 ? 200 : 500 }));
    await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const { id } = await t.hooks.publish(ACCOUNT.id, 'tour.started', topicData('tour.started') as never);
    const { deliveries } = collections(t.db.db);
    const failed = await until(async () => {
      const d = await deliveries.findOne({ webhook_id: new ObjectId(id) });
      return d?.attempt_log.length === 1 ? d : undefined;
    }, 10_000, 'the first attempt');
    const jobs = t.db.db.collection('chameleon_jobs');
    const jobsOf = async (id: string) => (await jobs.find({ name: 'chameleon-hooks:attempt' }).toArray()).filter((j) => (j.data as { deliveryId?: string }).deliveryId === id).length;
    await until(async () => (await jobsOf(failed._id.toHexString())) === 1, 10_000, 'the delayed retry job');
    await deliveries.updateOne({ _id: failed._id }, { $set: { next_attempt_at: new Date() } });
    const done = await until(async () => {
      const d = await deliveries.findOne({ _id: failed._id });
      return d?.state === 'succeeded' ? d : undefined;
    }, 10_000, 'the retry');
    expect(done.attempt_log.map((a) => [a.status, a.trigger])).toEqual([[500, 'publish'], [200, 'retry']]);
    expect(requestsFor(target, id)).toHaveLength(2);
    expect(await jobsOf(failed._id.toHexString())).toBe(1); // no second job
  });
});

describe('the due drain at shutdown', () => {
  it('should stop claiming at close() and leave the rest due for another process', async () => {
    const { createTestApp } = await import('../helpers/app.js');
    const { startReceiver } = await import('../helpers/receiver.js');
    const target = await startReceiver(async () => {
      await sleep(50);
      return { status: 200 };
    });
    const app = await createTestApp({ delivery: fastDelivery({ concurrency: 2, perEndpointConcurrency: 1, pollIntervalMs: 50 }) });
    try {
      const endpoint = await createEndpoint(app.app, app.db.db, { url: target.url, topics: ['tour.started'] });
      const { webhooks, deliveries } = collections(app.db.db);
      const now = new Date();
      const hooks = Array.from({ length: 200 }, () => ({ _id: new ObjectId(), account: ACCOUNT.id, topic: 'tour.started', data: topicData('tour.started'), created_at: now }));
      await webhooks.insertMany(hooks);
      await deliveries.insertMany(hooks.map((h) => newDelivery({ account: ACCOUNT.id, webhookId: h._id, destination: { kind: 'endpoint', id: new ObjectId(endpoint.id) }, topic: 'tour.started', maxAttempts: 2, trigger: 'replay' }, now, 0, false)));
      await until(() => target.requests.length >= 5, 10_000, 'the drain to start');
      await app.hooks.close();
      const left = await deliveries.find({ state: 'pending' }).toArray();
      expect(left.length).toBeGreaterThan(0);
      for (const d of left) {
        expect(d.lease_until).toBeNull(); // released or never claimed: due for the next process
        expect(d.attempts).toBe(0);
      }
      expect(nonPings(target).length).toBe(await deliveries.countDocuments({ topic: 'tour.started', state: 'succeeded' }));
    } finally {
      await target.close();
    }
  });
});
