// SSRF and URL policy with the DEFAULT options: what endpoint creation refuses (before any connection), and what a send refuses.
import request from 'supertest';
import express from 'express';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { testCertificate } from '../helpers/tls.js';
import { chameleonHooks } from '../../lib/index.js';
import { AUTH, collections, createEndpoint, deliveryInState, fastDelivery, requestsFor, topicData, until } from './support/delivery.js';

let loopback: Receiver;
beforeAll(async () => {
  loopback = await startReceiver(undefined, { https: true });
});
afterAll(() => loopback.close());

describe('endpoint creation with the default options', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ delivery: { pollIntervalMs: 50, sweepIntervalMs: 200 } });
  });

  async function expectRefused(url: string, pattern: RegExp): Promise<void> {
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url, topics: ['tour.started'] });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.stringMatching(pattern)] });
  }

  it('should refuse http with 422', async () => {
    await expectRefused('http://hooks.example.com/in', /https/);
  });

  it.each([
    'https://127.0.0.1/',
    'https://127.0.0.2:8443/hooks',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://0177.0.0.1/',
    'https://10.0.0.1/',
    'https://172.16.5.4/',
    'https://192.168.1.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/',
    'https://0.0.0.0/',
    'https://[fd00::1]/',
    'https://[fe80::1]/',
    'https://localhost/',
    'https://LOCALHOST./',
    'https://api.localhost/',
  ])('should refuse %s with 422, store nothing and send nothing', async (url) => {
    await expectRefused(url, /not a public address|is local/);
    expect(await collections(t.db.db).endpoints.countDocuments({})).toBe(0);
    expect(await collections(t.db.db).deliveries.countDocuments({})).toBe(0);
  });

  it('should refuse the loopback receiver itself, which never sees a request', async () => {
    await expectRefused(loopback.url, /not a public address/);
    await expectRefused(loopback.url.replace('127.0.0.1', 'localhost'), /is local/);
    expect(loopback.requests).toHaveLength(0);
  });

  it.each([
    ['credentials', 'https://user:pass@hooks.example.com/'],
    ['another scheme', 'ftp://hooks.example.com/'],
    ['a relative URL', '/hooks'],
    ['a non-string', 42],
  ])('should refuse a URL with %s with 422', async (_label, url) => {
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url, topics: ['tour.started'] });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.any(String)] });
  });

  it('should accept a public-looking name whose DNS fails, and record the ping as a network error without crashing', async () => {
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url: 'https://hooks.example.invalid/in', topics: ['tour.started'] }).expect(201);
    const endpointId = res.body.webhook.id as string;
    const ping = await until(() => collections(t.db.db).deliveries.findOne({ endpoint_id: new ObjectId(endpointId), topic: 'ping', state: { $ne: 'pending' } }));
    expect(ping.state).toBe('failed');
    expect(ping.attempt_log).toHaveLength(1);
    expect(ping.attempt_log[0]).toMatchObject({ status: null, error_kind: 'network' });
    expect(ping.attempt_log[0]!.error).toMatch(/ENOTFOUND|EAI_AGAIN/);
    // A publish is attempted too, fails the same way, and the app keeps answering.
    const { id } = await t.hooks.publish(ACCOUNT.id, 'tour.started', topicData('tour.started') as never);
    const delivery = await until(async () => {
      const doc = await collections(t.db.db).deliveries.findOne({ webhook_id: new ObjectId(id) });
      return doc && doc.attempt_log.length > 0 ? doc : undefined;
    });
    expect(delivery.attempt_log[0]!.error_kind).toBe('network');
    const shown = await request(t.app).post(`/v3/edit/webhooks/${endpointId}/ping`).set(AUTH).expect(200);
    expect(shown.body.ping).toMatchObject({ state: 'failed', status: null });
    expect(shown.body.webhook.health.status).toBe('inactive');
  });
});

describe('allowHttp without allowPrivateNetworks', () => {
  let t: TestApp;
  let plain: Receiver;
  beforeAll(async () => {
    plain = await startReceiver();
    t = await createTestApp({ delivery: { allowHttp: true, pollIntervalMs: 50, sweepIntervalMs: 200 } });
  });
  afterAll(() => plain.close());

  it('should accept http to a name, but still refuse private and local hosts', async () => {
    await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url: 'http://hooks.example.invalid/', topics: 'ping' }).expect(201);
    for (const url of [plain.url, plain.url.replace('127.0.0.1', 'localhost'), 'http://[::1]:9/', 'http://10.1.2.3/']) {
      const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url, topics: 'ping' });
      expect(res.status).toBe(422);
    }
    expect(plain.requests).toHaveLength(0);
  });
});

describe('a stored endpoint that the current options no longer allow', () => {
  it('should be refused at send time without connecting, as a forbidden_address attempt', async () => {
    const { cert } = await testCertificate();
    const permissive = await createTestApp({ delivery: fastDelivery({ ca: cert, retrySchedule: [50] }) });
    const endpoint = await createEndpoint(permissive.app, permissive.db.db, { url: loopback.url, topics: ['tour.started'] });
    const before = loopback.requests.length;
    await permissive.hooks.close();

    // The same database, now with the default (strict) policy.
    const strict = chameleonHooks({
      mongo: { client: permissive.db.client, dbName: permissive.db.dbName },
      accounts: [ACCOUNT, OTHER_ACCOUNT],
      flushIntervalMs: 50,
      delivery: { ca: cert, retrySchedule: [50], pollIntervalMs: 50, sweepIntervalMs: 200 },
    });
    const app = express();
    app.use(strict);
    await strict.ready();
    try {
      const { id } = await strict.publish(ACCOUNT.id, 'tour.started', topicData('tour.started') as never);
      const failed = await deliveryInState(permissive.db.db, id, endpoint.id, 'failed');
      expect(failed.attempt_log.map((a) => a.error_kind)).toEqual(['forbidden_address', 'forbidden_address']);
      expect(failed.attempt_log[0]!.error).toMatch(/not a public address/);
      expect(requestsFor(loopback, id)).toHaveLength(0);
      expect(loopback.requests.length).toBe(before);
      const ping = await request(app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
      expect(ping.body.ping).toMatchObject({ state: 'failed', status: null });
      expect(loopback.requests.length).toBe(before);
    } finally {
      await strict.close();
    }
  });
});

describe('a stored http endpoint once allowHttp is off', () => {
  it('should be refused at send time, as a forbidden_url attempt, without a request', async () => {
    const plain = await startReceiver();
    try {
      const permissive = await createTestApp({ delivery: fastDelivery({ retrySchedule: [50] }) });
      const endpoint = await createEndpoint(permissive.app, permissive.db.db, { url: plain.url, topics: ['tour.started'] });
      const before = plain.requests.length;
      expect(before).toBe(1); // the creation ping, while http was allowed
      await permissive.hooks.close();
      const strict = chameleonHooks({
        mongo: { client: permissive.db.client, dbName: permissive.db.dbName },
        accounts: [ACCOUNT, OTHER_ACCOUNT],
        flushIntervalMs: 50,
        delivery: { allowPrivateNetworks: true, retrySchedule: [50], pollIntervalMs: 50, sweepIntervalMs: 200 },
      });
      await strict.ready();
      try {
        const { id } = await strict.publish(ACCOUNT.id, 'tour.started', topicData('tour.started') as never);
        const failed = await deliveryInState(permissive.db.db, id, endpoint.id, 'failed');
        expect(failed.attempt_log.map((a) => a.error_kind)).toEqual(['forbidden_url', 'forbidden_url']);
        expect(plain.requests).toHaveLength(before);
      } finally {
        await strict.close();
      }
    } finally {
      await plain.close();
    }
  });
});
