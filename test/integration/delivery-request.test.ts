// The outgoing request as receivers see it (SPEC §5 "The request"): body, headers, signature, retries re-signed, https.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { ACCOUNT } from '../helpers/app.js';
import { testCertificate } from '../helpers/tls.js';
import { verifyChameleonWebhook, type ChameleonWebhook } from '../../lib/index.js';
import { AUTH, bodyOf, createEndpoint, deliveryInState, publishFixture, requestsFor, topicData, until, useDeliveryApp, useReceivers } from './support/delivery.js';

const DEFAULT_USER_AGENT = 'Chameleon Webhooks/v3 (chameleon.io; integral)';
const HEX24 = /^[0-9a-f]{24}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function hmacHex(raw: Buffer): string {
  return createHmac('sha256', ACCOUNT.webhookSecret).update(raw).digest('hex');
}

const receiver = useReceivers();

describe('the delivered request', () => {
  const t = useDeliveryApp(async () => ({ retrySchedule: [100, 100], ca: (await testCertificate()).cert }), { deleteEndpointsAfterEach: [AUTH] });

  it('should POST a body with exactly the keys id, kind, sent_at and data, and the webhook id', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.completed'] });
    const before = Date.now();
    const data = topicData('tour.completed');
    const { id } = await t.hooks.publish(ACCOUNT.id, 'tour.completed', data as never);
    const [got] = await until(() => (requestsFor(target, id).length > 0 ? requestsFor(target, id) : undefined));
    expect(got!.method).toBe('POST');
    const body = bodyOf(got!);
    expect(Object.keys(body)).toEqual(['id', 'kind', 'sent_at', 'data']);
    expect(id).toMatch(HEX24);
    expect(body.id).toBe(id);
    expect(body.kind).toBe('tour.completed');
    expect(body.data).toEqual(data);
    expect(body.sent_at).toMatch(ISO_UTC);
    expect(Date.parse(body.sent_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(body.sent_at)).toBeLessThanOrEqual(got!.receivedAt);
    await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
  });

  it('should send X-Chameleon-Id, the hex HMAC-SHA256 signature of the raw bytes, and the documented headers', async () => {
    const target = await receiver();
    await createEndpoint(t.app, t.db.db, { url: target.url, topics: 'survey.completed' });
    const { id } = await publishFixture(t.hooks, 'survey.completed');
    const got = await until(() => requestsFor(target, id)[0]);
    expect(got.headers['x-chameleon-id']).toBe(id);
    expect(got.headers['x-chameleon-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(got.headers['x-chameleon-signature']).toBe(hmacHex(got.body));
    expect(got.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers.accept).toBe('application/json');
    expect(got.headers['content-length']).toBe(String(got.body.length));
  });

  it('should sign the ping sent on endpoint creation like any webhook', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const ping = target.requests.find((r) => bodyOf(r).kind === 'ping');
    expect(ping).toBeDefined();
    expect(ping!.headers['x-chameleon-signature']).toBe(hmacHex(ping!.body));
    expect(bodyOf(ping!).id).toBe(ping!.headers['x-chameleon-id']);
    expect(endpoint.id).toMatch(HEX24);
  });

  it('should be accepted by the package\'s own verifyChameleonWebhook middleware in a real express receiver', async () => {
    const verified: ChameleonWebhook[] = [];
    const app = express();
    app.post('/hooks', verifyChameleonWebhook({ secret: ACCOUNT.webhookSecret }), (req, res) => {
      verified.push(req.chameleonWebhook!);
      res.status(204).end();
    });
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
      const endpoint = await createEndpoint(t.app, t.db.db, { url, topics: ['embed.completed'] });
      const data = topicData('embed.completed');
      const { id } = await t.hooks.publish(ACCOUNT.id, 'embed.completed', data as never);
      const delivery = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
      expect(delivery.attempt_log.map((a) => a.status)).toEqual([204]);
      const webhook = verified.find((w) => w.id === id);
      expect(webhook).toMatchObject({ id, kind: 'embed.completed', data });
      // The creation ping verified too.
      expect(verified.some((w) => w.kind === 'ping')).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('should be refused by verifyChameleonWebhook keyed with another secret (the signature really depends on the secret)', async () => {
    const app = express();
    app.post('/hooks', verifyChameleonWebhook({ secret: 'whsec_someone_else_0123456789' }), (_req, res) => {
      res.status(204).end();
    });
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
      const endpoint = await createEndpoint(t.app, t.db.db, { url, topics: ['tour.exited'] });
      const { id } = await publishFixture(t.hooks, 'tour.exited');
      const failed = await deliveryInState(t.db.db, id, endpoint.id, 'failed');
      expect(failed.attempt_log.map((a) => a.status)).toEqual([400, 400, 400]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('should re-sign every retry with a fresh, later sent_at and the same webhook id', async () => {
    const target = await receiver(() => ({ status: 500 }));
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const { id } = await publishFixture(t.hooks);
    await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    const attempts = requestsFor(target, id);
    expect(attempts).toHaveLength(3);
    const bodies = attempts.map(bodyOf);
    expect(new Set(bodies.map((b) => b.id))).toEqual(new Set([id]));
    expect(new Set(attempts.map((a) => a.headers['x-chameleon-id']))).toEqual(new Set([id]));
    const sentAt = bodies.map((b) => Date.parse(b.sent_at));
    expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(100);
    expect(sentAt[2]! - sentAt[1]!).toBeGreaterThanOrEqual(100);
    for (const attempt of attempts) expect(attempt.headers['x-chameleon-signature']).toBe(hmacHex(attempt.body));
    expect(new Set(attempts.map((a) => a.headers['x-chameleon-signature'])).size).toBe(3);
    // Only sent_at differs between attempts.
    const withoutSentAt = bodies.map(({ sent_at: _s, ...rest }) => rest);
    expect(withoutSentAt).toEqual([withoutSentAt[0], withoutSentAt[0], withoutSentAt[0]]);
  });

  it('should deliver to an https receiver whose certificate is trusted through delivery.ca', async () => {
    const target = await receiver(undefined, { https: true });
    expect(target.url).toMatch(/^https:/);
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['demo.started'] });
    const { id } = await publishFixture(t.hooks, 'demo.started');
    const delivery = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    expect(delivery.attempt_log).toHaveLength(1);
    expect(requestsFor(target, id)[0]!.headers['x-chameleon-signature']).toBe(hmacHex(requestsFor(target, id)[0]!.body));
  });
});

describe('the delivered request without the receiver\'s CA', () => {
  const t = useDeliveryApp({ retrySchedule: [50] });

  it('should fail with a TLS error when the https receiver\'s certificate is not trusted', async () => {
    const target = await receiver(undefined, { https: true });
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['demo.started'] });
    const { id } = await publishFixture(t.hooks, 'demo.started');
    const delivery = await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    expect(delivery.attempt_log.map((a) => a.error_kind)).toEqual(['tls', 'tls']);
    expect(requestsFor(target, id)).toHaveLength(0);
  });
});

describe('a configured User-Agent', () => {
  const t = useDeliveryApp({ userAgent: 'Chameleon Webhooks/v3 (chameleon.io; staging)' });

  it('should be sent instead of the default', async () => {
    const target = await receiver();
    await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const { id } = await publishFixture(t.hooks);
    const got = await until(() => requestsFor(target, id)[0]);
    expect(got.headers['user-agent']).toBe('Chameleon Webhooks/v3 (chameleon.io; staging)');
  });
});
