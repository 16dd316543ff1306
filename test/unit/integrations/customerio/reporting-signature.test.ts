// Tests for lib/integrations/customerio/reporting/signature.ts: Customer.io's documented scheme, checked against
// customerio-node's own verifyRequestSignature on the same inputs, plus the timestamp window.
import { describe, it, expect } from 'vitest';
import { createHmac } from 'node:crypto';
import { verifyRequestSignature } from 'customerio-node';
import { checkReportingSignature, signReportingWebhook } from '../../../../lib/integrations/customerio/reporting/signature.js';

const KEY = 'cio_signing_key_test_0123456789';
const NOW_S = 1_900_000_000;
const BODY = Buffer.from('{"event_id":"01E4C4C6P79C12J5A6KPE6XNFK","object_type":"email","metric":"opened","timestamp":1900000000,"data":{"identifiers":{"id":"42"}}}');

/** The documented scheme, written out independently of the code under test. */
function documented(key: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', key).update(`v0:${timestamp}:`).update(body).digest('hex');
}

const check = (overrides: Partial<Parameters<typeof checkReportingSignature>[0]> = {}) =>
  checkReportingSignature({ signingKey: KEY, raw: BODY, timestamp: String(NOW_S), signature: documented(KEY, String(NOW_S), BODY), toleranceSeconds: 300, nowMs: NOW_S * 1000, ...overrides });

describe('Customer.io reporting signatures', () => {
  it('should sign exactly as the documented scheme does', () => {
    expect(signReportingWebhook(KEY, String(NOW_S), BODY)).toBe(documented(KEY, String(NOW_S), BODY));
  });

  const tampered = Buffer.from(BODY.toString().replace('opened', 'clicked'));
  it.each<[string, { key: string; timestamp: string; body: Buffer; signature: string }]>([
    ['a valid signature', { key: KEY, timestamp: String(NOW_S), body: BODY, signature: documented(KEY, String(NOW_S), BODY) }],
    ['a tampered body', { key: KEY, timestamp: String(NOW_S), body: tampered, signature: documented(KEY, String(NOW_S), BODY) }],
    ['another key', { key: 'another_key_entirely_000', timestamp: String(NOW_S), body: BODY, signature: documented(KEY, String(NOW_S), BODY) }],
    ['a changed timestamp', { key: KEY, timestamp: String(NOW_S + 1), body: BODY, signature: documented(KEY, String(NOW_S), BODY) }],
    ['a truncated signature', { key: KEY, timestamp: String(NOW_S), body: BODY, signature: documented(KEY, String(NOW_S), BODY).slice(0, 63) }],
    ['a non-hex signature', { key: KEY, timestamp: String(NOW_S), body: BODY, signature: 'z'.repeat(64) }],
    ['an empty body', { key: KEY, timestamp: String(NOW_S), body: Buffer.alloc(0), signature: documented(KEY, String(NOW_S), Buffer.alloc(0)) }],
    ['a UTF-8 body', { key: KEY, timestamp: String(NOW_S), body: Buffer.from('{"subject":"Café ☕ 😀"}'), signature: documented(KEY, String(NOW_S), Buffer.from('{"subject":"Café ☕ 😀"}')) }],
  ])('should agree with customerio-node verifyRequestSignature on %s', (_label, c) => {
    const theirs = verifyRequestSignature({ signingSecret: c.key, timestamp: c.timestamp, body: c.body, signature: c.signature });
    const ours = checkReportingSignature({ signingKey: c.key, raw: c.body, timestamp: c.timestamp, signature: c.signature, toleranceSeconds: 300, nowMs: Number(c.timestamp) * 1000 }) === undefined;
    expect(ours).toBe(theirs);
  });

  it('should accept a signature made by our signer in customerio-node', () => {
    const signature = signReportingWebhook(KEY, String(NOW_S), BODY);
    expect(verifyRequestSignature({ signingSecret: KEY, timestamp: String(NOW_S), body: BODY, signature })).toBe(true);
  });

  it.each<[string, number, string | undefined]>([
    ['exactly at the tolerance in the past', -300, undefined],
    ['exactly at the tolerance in the future', 300, undefined],
    ['one second too old', -301, 'stale'],
    ['one second too far ahead', 301, 'future'],
  ])('should judge a timestamp %s', (_label, offset, problem) => {
    const timestamp = String(NOW_S + offset);
    expect(check({ timestamp, signature: documented(KEY, timestamp, BODY) })).toBe(problem);
  });

  it('should honour a configured tolerance', () => {
    const timestamp = String(NOW_S - 3600);
    expect(check({ timestamp, signature: documented(KEY, timestamp, BODY) })).toBe('stale');
    expect(check({ timestamp, signature: documented(KEY, timestamp, BODY), toleranceSeconds: 3600 })).toBeUndefined();
  });

  it.each<[string, Partial<Parameters<typeof checkReportingSignature>[0]>, string]>([
    ['no signature', { signature: undefined }, 'missing_signature'],
    ['a blank signature', { signature: '  ' }, 'missing_signature'],
    ['no timestamp', { timestamp: undefined }, 'missing_timestamp'],
    ['a date as timestamp', { timestamp: '2030-03-17T17:46:40Z' }, 'missing_timestamp'],
    ['a negative timestamp', { timestamp: '-5' }, 'missing_timestamp'],
    ['a wrong signature', { signature: '0'.repeat(64) }, 'bad_signature'],
  ])('should refuse %s', (_label, overrides, problem) => {
    expect(check(overrides)).toBe(problem);
  });
});
