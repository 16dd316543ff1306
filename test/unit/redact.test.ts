// Tests for lib/redact.ts: log objects and messages lose account secrets, keys and signatures before reaching the host's logger.
import { describe, it, expect } from 'vitest';
import { REDACTED, redact, redactFreeText, redactString, redactingLogger } from '../../lib/redact.js';

const SECRET = 'acct_live_9f8e7d6c5b4a39281706';

describe('redactString', () => {
  it.each<[string, string]>([
    [`POST /v3/observe/hooks/${SECRET}/profiles`, 'POST /v3/observe/hooks/:account_secret/profiles'],
    [`/chameleon/v3/observe/hooks/${SECRET}/profiles/batch?x=1`, '/chameleon/v3/observe/hooks/:account_secret/profiles/batch?x=1'],
    [`No route for POST /v3/observe/hooks/${SECRET}`, 'No route for POST /v3/observe/hooks/:account_secret'],
    [`/v3/edit/webhooks?account_secret=${SECRET}&limit=5`, `/v3/edit/webhooks?account_secret=${REDACTED}&limit=5`],
    [`body: account_secret=${SECRET}`, `body: account_secret=${REDACTED}`],
  ])('should redact %s', (input, output) => {
    expect(redactString(input)).toBe(output);
    expect(redactString(input)).not.toContain(SECRET);
  });

  it.each(['/v3/observe/hooks/profiles', '/v3/observe/hooks/events', '/v3/observe/hooks/profiles/batch', '/v3/observe/hooks/customerio', 'plain text'])('should leave %s alone', (text) => {
    expect(redactString(text)).toBe(text);
  });
});

describe('redactFreeText', () => {
  it.each([
    ['session store down: password=hunter2', 'session store down: password=[redacted]'],
    ['token: tok_1 and API_KEY=k2;next', 'token: [redacted] and API_KEY=[redacted];next'],
    ['Authorization: Bearer eyJabc.def', 'Authorization: [redacted]'],
    ['authorization=Basic dXNlcjpwYXNz', 'authorization=[redacted]'],
    ['x-session-cookie = sid_9 & user=bob', 'x-session-cookie = [redacted] & user=bob'],
    ['GET /v3/observe/hooks/acct_s3cr3t/profiles failed', 'GET /v3/observe/hooks/:account_secret/profiles failed'],
    ['client_secret="a b c" plain', `client_secret=${REDACTED} plain`],
    ['{"password":"hunter2","user":"bob"}', `{"password":${REDACTED},"user":"bob"}`],
    ["{ 'api_key': 'k 1' }", `{ 'api_key': ${REDACTED} }`],
  ])('should mask the value of %j', (input, expected) => {
    expect(redactFreeText(input)).toBe(expected);
  });

  it('should leave text without secret-looking pairs alone', () => {
    const text = 'Error: connect ECONNREFUSED 127.0.0.1:6379\n    at Socket.<anonymous> (session.js:10:5)';
    expect(redactFreeText(text)).toBe(text);
  });
});

describe('redact', () => {
  it('should redact secret-looking keys at any depth, and strings everywhere, without changing the input', () => {
    const input = {
      method: 'POST',
      path: `/v3/observe/hooks/${SECRET}/profiles`,
      headers: { 'x-account-secret': SECRET, authorization: `Basic ${Buffer.from(`site:${SECRET}`).toString('base64')}`, 'x-cio-signature': 'ab12', accept: 'application/json' },
      integration: { api_key: SECRET, webhook_signing_key: SECRET, site_id: 'site-1' },
      list: [`/v3/observe/hooks/${SECRET}/events`],
      account: { secret: SECRET, webhookSecret: SECRET, id: 'acme' },
    };
    const copy = JSON.parse(JSON.stringify(input));
    const out = redact(input);
    expect(input).toEqual(copy);
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(out).toMatchObject({
      method: 'POST',
      headers: { 'x-account-secret': REDACTED, authorization: REDACTED, 'x-cio-signature': REDACTED, accept: 'application/json' },
      integration: { api_key: REDACTED, webhook_signing_key: REDACTED, site_id: 'site-1' },
      account: { secret: REDACTED, webhookSecret: REDACTED, id: 'acme' },
    });
  });

  it('should redact an error whose message or stack holds a secret path, keeping its shape', () => {
    const error = Object.assign(new Error(`No route for POST /v3/observe/hooks/${SECRET}/x`), { code: 'E1' });
    const out = redact({ err: error }) as { err: { type: string; message: string; stack: string; code: string } };
    expect(out.err).toMatchObject({ type: 'Error', message: 'No route for POST /v3/observe/hooks/:account_secret/x', code: 'E1' });
    expect(out.err.stack).not.toContain(SECRET);
    const harmless = new Error('nothing secret');
    expect((redact({ err: harmless }) as { err: unknown }).err).toBe(harmless);
  });

  it('should survive cycles and deep values', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(() => JSON.stringify(redact(a))).not.toThrow();
  });
});

describe('redactingLogger', () => {
  it('should pass redacted objects and messages to every method', () => {
    const seen: unknown[] = [];
    const host = { debug: (o: object, m?: string) => seen.push(o, m), info: (o: object, m?: string) => seen.push(o, m), warn: (o: object, m?: string) => seen.push(o, m), error: (o: object, m?: string) => seen.push(o, m) };
    const logger = redactingLogger(host);
    for (const method of ['debug', 'info', 'warn', 'error'] as const) logger[method]({ secret: SECRET }, `at /v3/observe/hooks/${SECRET}/profiles`);
    expect(JSON.stringify(seen)).not.toContain(SECRET);
    expect(seen).toHaveLength(8);
  });
});
