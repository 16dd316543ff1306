// Tests for lib/verify/verify-webhook.ts with Standard Webhooks headers: chameleon-hooks/verify accepts both formats.
import express from 'express';
import supertest from 'supertest';
import { describe, it, expect } from 'vitest';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { verifyChameleonWebhook, verifyWebhook, WebhookVerificationError, type VerificationFailureReason } from '../../../lib/verify/index.js';
import { standardHeaders, standardSecret } from '../../../lib/signature/standard-webhooks.js';
import { NOW, OLD_SECRET, SECRET, WEBHOOK_ID, signedHeaders, webhookBody } from './fixtures.js';

const OPTIONS = { secret: SECRET, now: () => NOW };

function rejection(run: () => unknown): VerificationFailureReason | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
}

describe('verifyWebhook with Standard Webhooks headers', () => {
  it('should accept a body signed only with the Standard Webhooks headers', () => {
    const body = webhookBody();
    expect(verifyWebhook(body, standardHeaders(WEBHOOK_ID, NOW, body, [SECRET]), OPTIONS).id).toBe(WEBHOOK_ID);
  });

  it('should accept what the official standardwebhooks library signs with the whsec_ form', () => {
    const body = webhookBody();
    const signature = new StandardWebhook(standardSecret(SECRET)).sign(WEBHOOK_ID, NOW, body);
    const headers = { 'webhook-id': WEBHOOK_ID, 'webhook-timestamp': String(NOW.getTime() / 1000), 'webhook-signature': signature };
    expect(verifyWebhook(body, headers, OPTIONS).kind).toBe('tour.completed');
  });

  it('should accept a rotation list signed by both secrets, with either secret configured', () => {
    const body = webhookBody();
    const headers = standardHeaders(WEBHOOK_ID, NOW, body, [OLD_SECRET, SECRET]);
    expect(verifyWebhook(body, headers, { ...OPTIONS, secret: OLD_SECRET }).id).toBe(WEBHOOK_ID);
    expect(verifyWebhook(body, headers, OPTIONS).id).toBe(WEBHOOK_ID);
  });

  it('should check the Chameleon header first when both formats are sent', () => {
    const body = webhookBody();
    const both = { ...standardHeaders(WEBHOOK_ID, NOW, body, [SECRET]), ...signedHeaders(body) };
    expect(verifyWebhook(body, both, OPTIONS).id).toBe(WEBHOOK_ID);
    const badChameleon = { ...both, 'x-chameleon-signature': '0'.repeat(64) };
    expect(rejection(() => verifyWebhook(body, badChameleon, OPTIONS))).toBe('bad_signature');
  });

  it.each([
    ['a wrong secret', (b: string) => standardHeaders(WEBHOOK_ID, NOW, b, ['whsec_some_other_secret_000000']), 'bad_signature'],
    ['a changed id', (b: string) => ({ ...standardHeaders(WEBHOOK_ID, NOW, b, [SECRET]), 'webhook-id': 'other' }), 'bad_signature'],
    ['no webhook-id', (b: string) => ({ ...standardHeaders(WEBHOOK_ID, NOW, b, [SECRET]), 'webhook-id': '' }), 'missing_timestamp'],
    ['a non-numeric timestamp', (b: string) => ({ ...standardHeaders(WEBHOOK_ID, NOW, b, [SECRET]), 'webhook-timestamp': '1e9' }), 'missing_timestamp'],
    ['a stale timestamp', (b: string) => standardHeaders(WEBHOOK_ID, new Date(NOW.getTime() - 301_000), b, [SECRET]), 'stale'],
    ['a future timestamp', (b: string) => standardHeaders(WEBHOOK_ID, new Date(NOW.getTime() + 301_000), b, [SECRET]), 'future'],
    ['an empty signature list', (b: string) => ({ ...standardHeaders(WEBHOOK_ID, NOW, b, [SECRET]), 'webhook-signature': '' }), 'bad_signature'],
  ] as const)('should reject %s', (_name, headersFor, reason) => {
    const body = webhookBody();
    expect(rejection(() => verifyWebhook(body, headersFor(body), OPTIONS))).toBe(reason);
  });

  it('should verify the Standard Webhooks format in the Express middleware too', async () => {
    const app = express();
    app.post('/hooks', verifyChameleonWebhook({ secret: SECRET }), (req, res) => {
      res.json({ id: req.chameleonWebhook?.id });
    });
    const body = webhookBody({ sent_at: new Date().toISOString() });
    const ok = await supertest(app).post('/hooks').set(standardHeaders(WEBHOOK_ID, new Date(), body, [SECRET])).set('content-type', 'application/json').send(body);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ id: WEBHOOK_ID });
    const bad = await supertest(app).post('/hooks').set(standardHeaders(WEBHOOK_ID, new Date(), body, [OLD_SECRET])).set('content-type', 'application/json').send(body);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 400, messages: ['webhook-signature does not match the request'] });
  });
});
