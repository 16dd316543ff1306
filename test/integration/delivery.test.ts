import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createHmac } from 'node:crypto';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { loadFixture as loadTopicFixture } from '../unit/topics/topic-fixtures.js';
import { until } from '../helpers/until.js';

const auth = { 'X-Account-Secret': ACCOUNT.secret };


describe('publish → signed delivery', () => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({
      delivery: { allowHttp: true, allowPrivateNetworks: true, retrySchedule: [200, 400], jitter: 0, timeoutMs: 1000, pollIntervalMs: 50, sweepIntervalMs: 200 },
    });
  });
  afterAll(() => receiver.close());

  it('should deliver a published webhook right away, signed as documented', async () => {
    const created = await request(t.app).post('/v3/edit/webhooks').set(auth).send({ url: receiver.url, topics: 'tour.started,tour.completed' }).expect(201);
    expect(created.body.webhook).toMatchObject({ uid: receiver.url, topics: ['tour.started', 'tour.completed'] });
    expect(created.body.webhook).not.toHaveProperty('secret');
    await until(() => receiver.requests.find((r) => JSON.parse(r.body.toString()).kind === 'ping'));
    const fixture = loadTopicFixture('tour.started');
    const { id } = await t.hooks.publish('acme', 'tour.started', fixture.data as never);
    const got = await until(() => receiver.requests.find((r) => r.headers['x-chameleon-id'] === id));
    const raw = got.body.toString('utf8');
    const body = JSON.parse(raw);
    expect(body).toMatchObject({ id, kind: 'tour.started', data: fixture.data });
    expect(Object.keys(body)).toEqual(['id', 'kind', 'sent_at', 'data']);
    expect(got.headers['x-chameleon-signature']).toBe(createHmac('sha256', ACCOUNT.webhookSecret).update(raw).digest('hex'));
    expect(got.headers['user-agent']).toBe('Chameleon Webhooks/v3 (chameleon.io; integral)');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers.accept).toBe('application/json');
  });
});
