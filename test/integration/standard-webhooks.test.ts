// Standard Webhooks signatures per endpoint (`signature: "chameleon" | "standard" | "both"`), verified on the
// receiving side by the official `standardwebhooks` library and svix's Webhook.verify, and by chameleon-hooks/verify.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import express from 'express';
import request from 'supertest';
import { createHmac } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { chameleonHooks, type ChameleonHooks } from '../../lib/index.js';
import { verifyWebhook } from '../../lib/verify/index.js';
import { useTestDb } from '../helpers/db.js';
import { startReceiver, type Receiver, type ReceivedRequest } from '../helpers/receiver.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';

const whsec = (secret: string) => `whsec_${Buffer.from(secret).toString('base64')}`;
const headersOf = (r: ReceivedRequest) => Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

describe('Standard Webhooks signatures', () => {
  let hooks: ChameleonHooks;
  let app: express.Express;
  let receiver: Receiver;
  beforeAll(async () => {
    const db = await useTestDb();
    hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, delivery: { allowHttp: true, allowPrivateNetworks: true } });
    app = express().use(hooks);
    await hooks.ready();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  async function delivered(accountId: string): Promise<ReceivedRequest> {
    const { id } = await hooks.publish(accountId, 'tour.started', loadFixture('tour.started').data as never);
    for (let i = 0; i < 400; i++) {
      const got = receiver.requests.find((r) => r.headers['x-chameleon-id'] === id);
      if (got) return got;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('not delivered');
  }

  async function accountWith(signature: string | undefined): Promise<{ id: string; secret: string; webhookSecret: string; endpoint: Record<string, unknown> }> {
    const account = await hooks.accounts.create({ name: `sig-${signature}` });
    const res = await request(app).post('/v3/edit/webhooks').set('X-Account-Secret', account.secret).send({ url: receiver.url, topics: ['tour.started'], ...(signature ? { signature } : {}) });
    expect(res.status).toBe(201);
    return { ...account, endpoint: res.body.webhook };
  }

  it('should send Standard Webhooks headers that the standardwebhooks library and svix verify, and no Chameleon signature', async () => {
    const account = await accountWith('standard');
    expect(account.endpoint.signature).toBe('standard');
    expect(account.endpoint.standard_webhooks_secret).toBe(whsec(account.webhookSecret));
    const got = await delivered(account.id);
    const raw = got.body.toString('utf8');
    const headers = headersOf(got);
    expect(headers['x-chameleon-signature']).toBeUndefined();
    expect(headers['webhook-id']).toBe(JSON.parse(raw).id);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(Date.parse(JSON.parse(raw).sent_at) / 1000)));
    expect(new StandardWebhook(whsec(account.webhookSecret)).verify(raw, headers)).toEqual(JSON.parse(raw));
    expect(new SvixWebhook(whsec(account.webhookSecret)).verify(raw, headers)).toEqual(JSON.parse(raw));
    expect(verifyWebhook(got.body, headers, { secret: account.webhookSecret }).id).toBe(JSON.parse(raw).id);
    expect(() => new StandardWebhook(whsec('some-other-secret-0000')).verify(raw, headers)).toThrow();
  });

  it('should send both signatures with "both"', async () => {
    const account = await accountWith('both');
    const got = await delivered(account.id);
    const raw = got.body.toString('utf8');
    const headers = headersOf(got);
    expect(headers['x-chameleon-signature']).toBe(createHmac('sha256', account.webhookSecret).update(got.body).digest('hex'));
    expect(new SvixWebhook(whsec(account.webhookSecret)).verify(raw, headers)).toEqual(JSON.parse(raw));
  });

  it('should keep the Chameleon headers only by default, and show no secret', async () => {
    const account = await accountWith(undefined);
    expect(account.endpoint.signature).toBe('chameleon');
    expect(account.endpoint).not.toHaveProperty('standard_webhooks_secret');
    const got = await delivered(account.id);
    expect(got.headers['webhook-signature']).toBeUndefined();
    expect(got.headers['x-chameleon-signature']).toBe(createHmac('sha256', account.webhookSecret).update(got.body).digest('hex'));
    const list = await request(app).get('/v3/edit/webhooks').set('X-Account-Secret', account.secret).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(account.webhookSecret);
  });

  it('should sign with both secrets during a rotation, so receivers holding either verify', async () => {
    const account = await accountWith('standard');
    const next = await hooks.accounts.rotateWebhookSecret(account.id, 60_000);
    const got = await delivered(account.id);
    const raw = got.body.toString('utf8');
    const headers = headersOf(got);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [account.webhookSecret, next]) {
      expect(new StandardWebhook(whsec(secret)).verify(raw, headers)).toEqual(JSON.parse(raw));
      expect(new SvixWebhook(whsec(secret)).verify(raw, headers)).toEqual(JSON.parse(raw));
      expect(verifyWebhook(got.body, headers, { secret }).kind).toBe('tour.started');
    }
    const shown = await request(app).get(`/v3/edit/webhooks/${String(account.endpoint.id)}`).set('X-Account-Secret', account.secret).expect(200);
    expect(shown.body.webhook.standard_webhooks_secret).toBe(whsec(next));
  });

  it.each([['standard webhooks'], ['CHAMELEON'], [42], [['standard']]])('should refuse signature %j with 422', async (signature) => {
    const account = await hooks.accounts.create({ name: 'bad-signature' });
    const res = await request(app).post('/v3/edit/webhooks').set('X-Account-Secret', account.secret).send({ url: receiver.url, topics: ['tour.started'], signature });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, messages: ['`signature` must be one of chameleon, standard, both'] });
  });
});
