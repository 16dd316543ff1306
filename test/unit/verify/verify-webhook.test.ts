// Tests for lib/verify/verify-webhook.ts: the framework-agnostic core and each rejection reason.
import { describe, it, expect } from 'vitest';
import {
  InvalidVerifyOptionError,
  signPayload,
  verifyWebhook,
  WebhookVerificationError,
  type VerificationFailureReason,
  type VerifyWebhookOptions,
} from '../../../lib/verify/index.js';
import { NOW, OLD_SECRET, SECRET, WEBHOOK_ID, sentAt, signedHeaders, webhookBody } from './fixtures.js';

const OPTIONS: VerifyWebhookOptions = { secret: SECRET, now: () => NOW };

/** The reason `verifyWebhook` rejects with, or `undefined` when it accepts. */
function rejection(run: () => unknown): VerificationFailureReason | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
}

describe('verifyWebhook', () => {
  it('should return the typed payload of a valid webhook', () => {
    const body = webhookBody();
    const webhook = verifyWebhook(body, signedHeaders(body), OPTIONS);
    expect(webhook).toEqual(JSON.parse(body));
    expect(webhook.id).toBe(WEBHOOK_ID);
    expect(webhook.kind).toBe('tour.completed');
    expect(webhook.data).toEqual({ tour: { name: 'Onboarding — Zoë 🦎' }, profile: { uid: 'u-1' } });
  });

  it('should accept a Buffer, a Uint8Array and a string body alike', () => {
    const body = webhookBody();
    const bytes = Buffer.from(body);
    expect(verifyWebhook(bytes, signedHeaders(body), OPTIONS).id).toBe(WEBHOOK_ID);
    expect(verifyWebhook(new Uint8Array(bytes), signedHeaders(body), OPTIONS).id).toBe(WEBHOOK_ID);
  });

  it('should read the signature header in any letter case, from a record or a fetch Headers', () => {
    const body = webhookBody();
    const signature = signPayload(body, SECRET);
    expect(verifyWebhook(body, { 'X-Chameleon-Signature': signature }, OPTIONS).id).toBe(WEBHOOK_ID);
    expect(verifyWebhook(body, new Headers({ 'X-Chameleon-Signature': signature }), OPTIONS).id).toBe(WEBHOOK_ID);
  });

  it('should accept a body signed with the previous secret during a rotation', () => {
    const body = webhookBody();
    expect(verifyWebhook(body, signedHeaders(body, OLD_SECRET), { ...OPTIONS, secret: [SECRET, OLD_SECRET] }).id).toBe(
      WEBHOOK_ID,
    );
    expect(rejection(() => verifyWebhook(body, signedHeaders(body, OLD_SECRET), OPTIONS))).toBe('bad_signature');
  });

  it('should answer with a typed error that carries status 400 and the {code, messages} body', () => {
    const body = webhookBody();
    let caught: unknown;
    try {
      verifyWebhook(body, {}, OPTIONS);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WebhookVerificationError);
    const error = caught as WebhookVerificationError;
    expect(error.name).toBe('WebhookVerificationError');
    expect(error.status).toBe(400);
    expect(error.toBody()).toEqual({ code: 400, messages: ['Missing the X-Chameleon-Signature header (or the Standard Webhooks webhook-signature header)'] });
  });

  it.each<[string, () => unknown, VerificationFailureReason]>([
    ['no signature header', () => verifyWebhook(webhookBody(), {}, OPTIONS), 'missing_signature'],
    ['a blank signature header', () => verifyWebhook(webhookBody(), { 'x-chameleon-signature': ' ' }, OPTIONS), 'missing_signature'],
    [
      'a tampered body',
      () => verifyWebhook(webhookBody({ kind: 'ping' }), signedHeaders(webhookBody()), OPTIONS),
      'bad_signature',
    ],
    [
      'a duplicated signature header',
      () => {
        const body = webhookBody();
        const signature = signPayload(body, SECRET);
        return verifyWebhook(body, { 'x-chameleon-signature': [signature, signature] }, OPTIONS);
      },
      'bad_signature',
    ],
    ['a body that is not JSON', () => verifyWebhook('{"id":', signedHeaders('{"id":'), OPTIONS), 'malformed'],
    ['a JSON array', () => verifyWebhook('[]', signedHeaders('[]'), OPTIONS), 'malformed'],
    ['a JSON null', () => verifyWebhook('null', signedHeaders('null'), OPTIONS), 'malformed'],
    ['no id', () => verifyWebhook(webhookBody({ id: undefined }), signedHeaders(webhookBody({ id: undefined })), OPTIONS), 'malformed'],
    ['a numeric kind', () => verifyWebhook(webhookBody({ kind: 7 }), signedHeaders(webhookBody({ kind: 7 })), OPTIONS), 'malformed'],
    ['data = null', () => verifyWebhook(webhookBody({ data: null }), signedHeaders(webhookBody({ data: null })), OPTIONS), 'malformed'],
    ['data = []', () => verifyWebhook(webhookBody({ data: [] }), signedHeaders(webhookBody({ data: [] })), OPTIONS), 'malformed'],
  ])('should reject %s', (_label, run, reason) => {
    expect(rejection(run)).toBe(reason);
  });

  it.each<[unknown, VerificationFailureReason | undefined]>([
    [sentAt(-300), undefined],
    [sentAt(300), undefined],
    [sentAt(-301), 'stale'],
    [sentAt(301), 'future'],
    [sentAt(-300.001), 'stale'],
    [sentAt(300.001), 'future'],
    ['2024-05-01T13:59:00+02:00', undefined],
    ['2024-05-01T12:00:00.123456Z', undefined],
    [undefined, 'missing_timestamp'],
    [null, 'missing_timestamp'],
    ['', 'missing_timestamp'],
    ['yesterday', 'missing_timestamp'],
    ['2024-05-01', 'missing_timestamp'],
    ['2024-05-01T12:00:00', 'missing_timestamp'],
    ['Wed, 01 May 2024 12:00:00 GMT', 'missing_timestamp'],
    ['2024-13-01T12:00:00Z', 'missing_timestamp'],
    [NOW.getTime(), 'missing_timestamp'],
  ])('should judge sent_at %j against a 300 s tolerance: %s', (value, reason) => {
    const body = webhookBody({ sent_at: value });
    expect(rejection(() => verifyWebhook(body, signedHeaders(body), OPTIONS))).toBe(reason);
  });

  it('should apply a custom tolerance in both directions', () => {
    const options = { ...OPTIONS, toleranceSeconds: 10 };
    const check = (seconds: number): VerificationFailureReason | undefined => {
      const body = webhookBody({ sent_at: sentAt(seconds) });
      return rejection(() => verifyWebhook(body, signedHeaders(body), options));
    };
    expect([check(-10), check(10), check(-11), check(11)]).toEqual([undefined, undefined, 'stale', 'future']);
  });

  it('should check the signature before parsing, so an unsigned body is never judged on its content', () => {
    expect(rejection(() => verifyWebhook('not json', { 'x-chameleon-signature': 'a'.repeat(64) }, OPTIONS))).toBe(
      'bad_signature',
    );
  });

  it('should throw a TypeError, not a verification error, when given a parsed object instead of raw bytes', () => {
    const body = webhookBody();
    expect(() => verifyWebhook(JSON.parse(body) as string, signedHeaders(body), OPTIONS)).toThrow(TypeError);
  });

  it('should throw InvalidVerifyOptionError for a missing secret', () => {
    const body = webhookBody();
    expect(() => verifyWebhook(body, signedHeaders(body), { secret: '' })).toThrow(InvalidVerifyOptionError);
  });
});
