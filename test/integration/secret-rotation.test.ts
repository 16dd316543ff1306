/**
 * Webhook secret rotation for stored accounts: the current secret keeps signing for the grace
 * period (so receivers can add the new one first), then the new one signs; `graceMs: 0`
 * switches at once.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import express from 'express';
import { createHmac } from 'node:crypto';
import { chameleonHooks, type ChameleonHooks } from '../../lib/index.js';
import { signingSecret } from '../../lib/accounts/account-store.js';
import { useTestDb } from '../helpers/db.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { loadFixture } from '../unit/topics/topic-fixtures.js';

const hmac = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

describe('webhook secret rotation', () => {
  let hooks: ChameleonHooks;
  let receiver: Receiver;
  beforeAll(async () => {
    const db = await useTestDb();
    hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, delivery: { allowHttp: true, allowPrivateNetworks: true } });
    express().use(hooks);
    await hooks.ready();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  async function deliveredSignature(accountId: string): Promise<{ body: Buffer; signature: string }> {
    const { id } = await hooks.publish(accountId, 'tour.started', loadFixture('tour.started').data as never);
    for (let i = 0; i < 200; i++) {
      const got = receiver.requests.find((r) => r.headers['x-chameleon-id'] === id);
      if (got) return { body: got.body, signature: String(got.headers['x-chameleon-signature']) };
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('not delivered');
  }

  it('should keep signing with the current secret during the grace period, then with the new one', async () => {
    const account = await hooks.accounts.create({ name: 'Rotating' });
    await hooks.endpoints.create(account.id, { url: receiver.url, topics: ['tour.started'] });
    // A grace period long enough for a delivery on a loaded machine (800 ms was not).
    const next = await hooks.accounts.rotateWebhookSecret(account.id, 3000);
    expect(next).not.toBe(account.webhookSecret);
    const during = await deliveredSignature(account.id);
    expect(during.signature).toBe(hmac(account.webhookSecret, during.body));
    await new Promise((r) => setTimeout(r, 3100));
    const after = await deliveredSignature(account.id);
    expect(after.signature).toBe(hmac(next, after.body));
  });

  it('should switch at once with graceMs 0', async () => {
    const account = await hooks.accounts.create({ name: 'Leaked' });
    await hooks.endpoints.create(account.id, { url: receiver.url, topics: ['tour.started'] });
    const next = await hooks.accounts.rotateWebhookSecret(account.id, 0);
    const sent = await deliveredSignature(account.id);
    expect(sent.signature).toBe(hmac(next, sent.body));
  });

  it('should hand over in order when rotated twice within the grace period', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const account = {
      webhookSecret: 's2',
      previousWebhookSecrets: [
        { secret: 's0', until: new Date('2030-01-01T01:00:00Z') },
        { secret: 's1', until: new Date('2030-01-01T02:00:00Z') },
      ],
    };
    expect(signingSecret(account, now)).toBe('s0');
    expect(signingSecret(account, new Date('2030-01-01T01:30:00Z'))).toBe('s1');
    expect(signingSecret(account, new Date('2030-01-01T03:00:00Z'))).toBe('s2');
  });

  it('should refuse a negative or absurd grace period', async () => {
    const account = await hooks.accounts.create({ name: 'Bad grace' });
    await expect(hooks.accounts.rotateWebhookSecret(account.id, -1)).rejects.toThrow(/graceMs/);
  });
});
