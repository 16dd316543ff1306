// Unit tests of attempt classification and Retry-After parsing (pure).
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../../../lib/delivery/transport/retry-after.js';
import { classifyAttempt } from '../../../../lib/delivery/transport/webhook-transport.js';
import type { HttpResult as AttemptResult } from '../../../../lib/delivery/transport/http-sender.js';

describe('classifyAttempt', () => {
  it.each<[string, AttemptResult, ReturnType<typeof classifyAttempt>]>([
    ['200', { ok: true, status: 200, durationMs: 5 }, 'success'],
    ['204', { ok: true, status: 204, durationMs: 5 }, 'success'],
    ['299', { ok: true, status: 299, durationMs: 5 }, 'success'],
    ['410', { ok: false, status: 410, durationMs: 5, errorKind: 'http', error: 'HTTP 410' }, 'gone'],
    ['404', { ok: false, status: 404, durationMs: 5, errorKind: 'http' }, 'retry'],
    ['400', { ok: false, status: 400, durationMs: 5, errorKind: 'http' }, 'retry'],
    ['429', { ok: false, status: 429, durationMs: 5, errorKind: 'http', retryAfterMs: 5000 }, 'retry'],
    ['500', { ok: false, status: 500, durationMs: 5, errorKind: 'http' }, 'retry'],
    ['503', { ok: false, status: 503, durationMs: 5, errorKind: 'http' }, 'retry'],
    ['302', { ok: false, status: 302, durationMs: 5, errorKind: 'redirect' }, 'retry'],
    ['a timeout', { ok: false, durationMs: 7000, errorKind: 'timeout' }, 'retry'],
    ['a 200 whose body timed out', { ok: false, status: 200, durationMs: 7000, errorKind: 'timeout' }, 'retry'],
    ['a network error', { ok: false, durationMs: 1, errorKind: 'network' }, 'retry'],
    ['a TLS error', { ok: false, durationMs: 1, errorKind: 'tls' }, 'retry'],
    ['a forbidden address', { ok: false, durationMs: 1, errorKind: 'forbidden_address' }, 'retry'],
  ])('should classify %s', (_name, result, expected) => {
    expect(classifyAttempt(result)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2015-10-21T07:28:00.000Z');

  it.each<[string | string[] | undefined, number | undefined]>([
    ['5', 5000],
    ['0', 0],
    [' 120 ', 120_000],
    ['007', 7000],
    [['30', '60'], 30_000],
    ['86400', MAX_RETRY_AFTER_MS],
    ['86401', MAX_RETRY_AFTER_MS],
    ['99999999999999999999', MAX_RETRY_AFTER_MS],
    ['Wed, 21 Oct 2015 07:28:10 GMT', 10_000],
    ['Wednesday, 21-Oct-15 07:30:00 GMT', 120_000],
    ['Wed Oct 21 07:29:00 2015', 60_000],
    ['Wed, 21 Oct 2015 07:00:00 GMT', 0],
    ['Fri, 23 Oct 2015 07:28:00 GMT', MAX_RETRY_AFTER_MS],
    [undefined, undefined],
    [[], undefined],
    ['', undefined],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['5s', undefined],
    ['2015-10-21T07:28:10Z', undefined],
    ['Wed, 99 Foo 2015 07:28:10 GMT', undefined],
  ])('should parse %j as %s ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
