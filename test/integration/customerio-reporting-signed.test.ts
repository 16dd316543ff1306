// Integration tests for signed Customer.io reporting webhooks (issue 7 §3): with a webhook_signing_key on the account's
// integration, X-CIO-Signature must verify (the documented scheme, cross-checked with customerio-node), within the
// timestamp tolerance; otherwise 401 in the usual format and nothing is stored.
import { describe, it, expect, beforeAll } from 'vitest';
import express from 'express';
import request from 'supertest';
import { createHmac } from 'node:crypto';
import { verifyRequestSignature } from 'customerio-node';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';
import { until } from './support/delivery.js';
import { reportingWebhook } from './support/customerio-reports.js';
import { chameleonHooks } from '../../lib/index.js';
import { useTestDb } from '../helpers/db.js';

const path = `/v3/observe/hooks/${ACCOUNT.secret}/customerio`;
const SIGNING_KEY = 'cio_whsk_test_0123456789abcdef';

/** Signs as Customer.io documents it: hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` (written out here, not the code under test). */
function sign(raw: string, timestamp: number, key = SIGNING_KEY): Record<string, string> {
  const signature = createHmac('sha256', key).update(`v0:${timestamp}:${raw}`).digest('hex');
  expect(verifyRequestSignature({ signingSecret: key, timestamp: String(timestamp), body: raw, signature })).toBe(true);
  return { 'X-CIO-Timestamp': String(timestamp), 'X-CIO-Signature': signature, 'Content-Type': 'application/json' };
}

const nowS = (): number => Math.floor(Date.now() / 1000);

describe('signed Customer.io reporting webhooks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ customerio: { webhookToleranceSeconds: 120 } });
    await t.hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 'site-1', api_key: 'cio_api_key_0123456789', region: 'us', webhook_signing_key: SIGNING_KEY });
  });
  const reports = () => t.db.db.collection('chameleon_customerio_reports');

  it('should store a webhook whose signature verifies', async () => {
    const raw = JSON.stringify(reportingWebhook({}, { identifiers: { id: 'signed-1' } }));
    const res = await request(t.app).post(path).set(sign(raw, nowS())).send(raw).expect(200);
    expect(res.body.customerio.duplicate).toBe(false);
    const stored = await until(() => reports().findOne({ processed_at: { $ne: null }, 'body': raw }));
    expect(stored).toMatchObject({ outcome: 'event', account: ACCOUNT.id });
  });

  it.each<[string, (raw: string) => Record<string, string>, RegExp]>([
    ['no signature', () => ({ 'X-CIO-Timestamp': String(nowS()) }), /Missing X-CIO-Signature/],
    ['no timestamp', (raw) => ({ 'X-CIO-Signature': sign(raw, nowS())['X-CIO-Signature']! }), /X-CIO-Timestamp/],
    ['a wrong signature', (raw) => ({ ...sign(raw, nowS()), 'X-CIO-Signature': '0'.repeat(64) }), /does not match/],
    ['a signature with another key', (raw) => sign(raw, nowS(), 'another_signing_key_000000'), /does not match/],
    ['a signature of another body', (raw) => sign(raw.replace('opened', 'clicked'), nowS()), /does not match/],
    ['a signature for another timestamp', (raw) => ({ ...sign(raw, nowS() - 10), 'X-CIO-Timestamp': String(nowS()) }), /does not match/],
    ['a stale timestamp (outside the configured 120 s)', (raw) => sign(raw, nowS() - 121), /too old/],
    ['a timestamp from the future', (raw) => sign(raw, nowS() + 121), /future/],
  ])('should answer 401 to %s and store nothing', async (_label, headers, message) => {
    const body = reportingWebhook({}, { identifiers: { id: 'refused' } });
    const raw = JSON.stringify(body);
    const res = await request(t.app).post(path).set('Content-Type', 'application/json').set(headers(raw)).send(raw);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 401, messages: [expect.stringMatching(message)] });
    expect(res.text).not.toContain(SIGNING_KEY);
    expect(await reports().countDocuments({ event_id: body.event_id })).toBe(0);
  });

  it('should check the signature before parsing: a signed non-JSON body is 400, an unsigned one 401', async () => {
    const raw = 'event_id=1';
    await request(t.app).post(path).set(sign(raw, nowS())).send(raw).expect(400);
    await request(t.app).post(path).set('Content-Type', 'application/json').send(raw).expect(401);
  });

  it('should answer a signed replay of a stored event_id with 200 and change nothing', async () => {
    const body = reportingWebhook({}, { identifiers: { id: 'signed-replay' } });
    const raw = JSON.stringify(body);
    await request(t.app).post(path).set(sign(raw, nowS())).send(raw).expect(200);
    const again = await request(t.app).post(path).set(sign(raw, nowS())).send(raw).expect(200);
    expect(again.body.customerio.duplicate).toBe(true);
    expect(await reports().countDocuments({ event_id: body.event_id })).toBe(1);
  });

  it('should not ask for a signature from an account without a signing key', async () => {
    await request(t.app).post(`/v3/observe/hooks/${OTHER_ACCOUNT.secret}/customerio`).send(reportingWebhook()).expect(200);
  });

  it('should stop asking once the signing key is removed', async () => {
    const db = await useTestDb();
    const hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, accounts: [ACCOUNT] });
    const app = express().use(hooks);
    await hooks.ready();
    try {
      await hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 's', api_key: 'cio_api_key_0123456789', region: 'eu', webhook_signing_key: SIGNING_KEY });
      await request(app).post(path).send(reportingWebhook()).expect(401);
      await hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 's', region: 'eu', webhook_signing_key: null });
      await until(async () => (await request(app).post(path).send(reportingWebhook())).status === 200, 5000, 'the key cache to expire');
    } finally {
      await hooks.close();
    }
  });

  it('should verify with the new key as soon as the key is changed in this process (the opened key is not kept past a set)', async () => {
    const db = await useTestDb();
    const hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, accounts: [ACCOUNT] });
    const app = express().use(hooks);
    await hooks.ready();
    const NEW_KEY = 'cio_whsk_rotated_fedcba9876543210';
    const post = (key: string) => {
      const raw = JSON.stringify(reportingWebhook());
      return request(app).post(path).set(sign(raw, nowS(), key)).send(raw);
    };
    try {
      await hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 's', api_key: 'cio_api_key_0123456789', region: 'us', webhook_signing_key: SIGNING_KEY });
      await post(SIGNING_KEY).expect(200);
      await post(SIGNING_KEY).expect(200); // the second one from the cached key
      await hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 's', region: 'us', webhook_signing_key: NEW_KEY });
      expect((await post(SIGNING_KEY).expect(401)).body.code).toBe(401);
      await post(NEW_KEY).expect(200);
    } finally {
      await hooks.close();
    }
  });

  it('should refuse a signed route when a host body parser consumed the body', async () => {
    const db = await useTestDb();
    const hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, accounts: [ACCOUNT] });
    const app = express().use(express.json()).use(hooks);
    await hooks.ready();
    try {
      await hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 's', api_key: 'cio_api_key_0123456789', region: 'us', webhook_signing_key: SIGNING_KEY });
      const raw = JSON.stringify(reportingWebhook());
      const res = await request(app).post(path).set(sign(raw, nowS())).send(raw).expect(401);
      expect(res.body.messages[0]).toMatch(/mount chameleon-hooks before express.json/);
    } finally {
      await hooks.close();
    }
  });
});
