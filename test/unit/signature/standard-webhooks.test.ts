// Tests for lib/signature/standard-webhooks.ts, checked by receivers' real code: the official
// `standardwebhooks` library and `svix`'s Webhook.verify.
import { describe, it, expect } from 'vitest';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import {
  signStandard,
  standardHeaders,
  standardSecret,
  verifyStandardSignature,
} from '../../../lib/signature/standard-webhooks.js';

const SECRET = 'whsec_account_secret_for_tests_0001';
const OLD = 'previous-secret-still-in-grace-0002';
const ID = '6b04f1c2a9e8d7c6b5a49382';
const body = JSON.stringify({ id: ID, kind: 'ping', sent_at: new Date().toISOString(), data: { text: 'héllo ✓' } });

describe('standardSecret', () => {
  it('should write the UTF-8 bytes of the secret as whsec_ + base64', () => {
    expect(standardSecret('hello')).toBe('whsec_aGVsbG8=');
    expect(Buffer.from(standardSecret('ünï').slice(6), 'base64').toString('utf8')).toBe('ünï');
  });
});

describe('standardHeaders', () => {
  it('should be verified by the standardwebhooks library with the whsec_ form of the secret', () => {
    const headers = standardHeaders(ID, new Date(), body, [SECRET]);
    expect(new StandardWebhook(standardSecret(SECRET)).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it("should be verified by svix's Webhook.verify", () => {
    const headers = standardHeaders(ID, new Date(), body, [SECRET]);
    expect(new SvixWebhook(standardSecret(SECRET)).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('should sign with every secret during a rotation, so either secret verifies', () => {
    const headers = standardHeaders(ID, new Date(), body, [OLD, SECRET]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const s of [OLD, SECRET]) {
      expect(new StandardWebhook(standardSecret(s)).verify(body, { ...headers })).toBeTruthy();
      expect(new SvixWebhook(standardSecret(s)).verify(body, { ...headers })).toBeTruthy();
    }
    expect(() => new StandardWebhook(standardSecret('another-secret-entirely')).verify(body, { ...headers })).toThrow();
  });

  it('should agree with the library on the signature bytes', () => {
    const at = new Date('2026-11-27T12:00:00Z');
    const lib = new StandardWebhook(standardSecret(SECRET)).sign(ID, at, body);
    expect(standardHeaders(ID, at, body, [SECRET])['webhook-signature']).toBe(lib);
    expect(standardHeaders(ID, at, body, [SECRET])['webhook-timestamp']).toBe(String(at.getTime() / 1000));
  });

  it('should be rejected by the libraries when the body or the timestamp changed', () => {
    const headers = standardHeaders(ID, new Date(), body, [SECRET]);
    expect(() => new StandardWebhook(standardSecret(SECRET)).verify(body + ' ', { ...headers })).toThrow();
    const stale = standardHeaders(ID, new Date(Date.now() - 600_000), body, [SECRET]);
    expect(() => new SvixWebhook(standardSecret(SECRET)).verify(body, { ...stale })).toThrow();
  });
});

describe('signStandard', () => {
  it.each([
    ['an id with a dot', () => signStandard('a.b', 1, body, [SECRET])],
    ['no secret', () => signStandard(ID, 1, body, [])],
    ['an empty secret', () => signStandard(ID, 1, body, [''])],
    ['a fractional timestamp', () => signStandard(ID, 1.5, body, [SECRET])],
  ])('should refuse %s', (_name, call) => {
    expect(call).toThrow(TypeError);
  });
});

describe('verifyStandardSignature', () => {
  const at = new Date();
  const h = standardHeaders(ID, at, body, [SECRET]);
  const received = { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] };

  it('should accept what the library signs, with any of the secrets', () => {
    const signature = new StandardWebhook(standardSecret(SECRET)).sign(ID, at, body);
    expect(verifyStandardSignature(body, { ...received, signature }, [OLD, SECRET])).toBe(true);
    expect(verifyStandardSignature(Buffer.from(body), received, [SECRET])).toBe(true);
  });

  it('should accept a list where one entry matches, ignoring other versions', () => {
    const signature = `v1a,${'A'.repeat(86)}== v1,${Buffer.alloc(32).toString('base64')} ${received.signature}`;
    expect(verifyStandardSignature(body, { ...received, signature }, [SECRET])).toBe(true);
  });

  it.each([
    ['another secret', received, ['not-the-secret-at-all']],
    ['no secret', received, []],
    ['another id', { ...received, id: 'x' }, [SECRET]],
    ['another timestamp', { ...received, timestamp: String(Number(received.timestamp) + 1) }, [SECRET]],
    ['an empty signature', { ...received, signature: '' }, [SECRET]],
    ['a v1 signature of the wrong length', { ...received, signature: 'v1,AAAA' }, [SECRET]],
    ['garbage', { ...received, signature: 'v1,!!!! v2 ,,,' }, [SECRET]],
    ['a signature without version', { ...received, signature: received.signature.slice(3) }, [SECRET]],
  ])('should refuse %s', (_name, r, secrets) => {
    expect(verifyStandardSignature(body, r, secrets)).toBe(false);
  });

  it('should refuse a changed body and non-string input without throwing', () => {
    expect(verifyStandardSignature(body.replace('ping', 'pong'), received, [SECRET])).toBe(false);
    expect(verifyStandardSignature({} as unknown as string, received, [SECRET])).toBe(false);
    expect(verifyStandardSignature(body, { ...received, id: undefined as unknown as string }, [SECRET])).toBe(false);
  });
});
