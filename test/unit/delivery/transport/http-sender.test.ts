// Tests of the HTTP sender against real local receivers (loopback only): TLS, timeouts, redirects, response capture, SSRF refusal at connect time.
import type dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpSender, type HttpSender, type HttpSenderOptions } from '../../../../lib/delivery/transport/http-sender.js';
import { classifyAttempt } from '../../../../lib/delivery/transport/webhook-transport.js';
import { drip, startReceiver, type Receiver } from '../../../helpers/receiver.js';
import { testCertificate, type TestCertificate } from '../../../helpers/tls.js';

const USER_AGENT = 'Chameleon Webhooks/v3 (chameleon.io; test)';
const BODY = '{"id":"5f0000000000000000000001","kind":"ping","sent_at":"2025-01-01T00:00:00.000Z","data":{}}';
const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Chameleon-Id': '5f0000000000000000000001' };

let cert: TestCertificate;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  cert = await testCertificate();
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const started = await startReceiver(...args);
  cleanups.push(() => started.close());
  return started;
}

function sender(options: Partial<HttpSenderOptions> = {}): HttpSender {
  const created = createHttpSender({
    timeoutMs: 5000,
    userAgent: USER_AGENT,
    allowPrivateNetworks: true,
    allowHttp: true,
    responseBodyBytes: 4096,
    ca: cert.cert,
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

/** A resolver that answers every name with one loopback address; records the names asked. */
function loopbackLookup(asked: string[]): typeof dns.lookup {
  const lookup = (hostname: string, _options: unknown, callback: (e: Error | null, a: dns.LookupAddress[]) => void) => {
    asked.push(hostname);
    callback(null, [{ address: '127.0.0.1', family: 4 }]);
  };
  return lookup as unknown as typeof dns.lookup;
}

describe('createHttpSender: delivery', () => {
  it('should POST over https with the given headers plus User-Agent, trusting the extra CA', async () => {
    const target = await receiver(undefined, { https: true });
    const result = await sender().send({ url: `${target.url}hooks?x=1`, body: BODY, headers: { ...HEADERS, 'user-agent': 'spoofed' } });
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: '{"ok":true}' });
    expect(result.error).toBeUndefined();
    expect(result.errorKind).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(classifyAttempt(result)).toBe('success');
    expect(target.requests).toHaveLength(1);
    const [received] = target.requests;
    expect(received?.method).toBe('POST');
    expect(received?.path).toBe('/hooks?x=1');
    expect(received?.body.toString()).toBe(BODY);
    expect(received?.headers['user-agent']).toBe(USER_AGENT);
    expect(received?.headers['content-type']).toBe('application/json');
    expect(received?.headers['accept']).toBe('application/json');
    expect(received?.headers['x-chameleon-id']).toBe('5f0000000000000000000001');
    expect(received?.headers['content-length']).toBe(String(Buffer.byteLength(BODY)));
  });

  it('should send several attempts over the pooled agent', async () => {
    const target = await receiver(() => ({ status: 204 }), { https: true });
    const send = sender();
    const results = await Promise.all([1, 2, 3].map(() => send.send({ url: target.url, body: BODY, headers: HEADERS })));
    expect(results.map((r) => r.status)).toEqual([204, 204, 204]);
    expect(results.every((r) => r.ok && r.responseBody === '')).toBe(true);
    expect(target.requests).toHaveLength(3);
  });

  it('should treat 410 as a failed attempt that classifies as gone', async () => {
    const target = await receiver(() => ({ status: 410, body: 'unsubscribed' }));
    const result = await sender().send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, status: 410, errorKind: 'http', error: 'HTTP 410', responseBody: 'unsubscribed' });
    expect(classifyAttempt(result)).toBe('gone');
  });

  it('should treat 500 as a retry and ignore its Retry-After', async () => {
    const target = await receiver(() => ({ status: 500, headers: { 'retry-after': '5' }, body: 'boom' }));
    const result = await sender().send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, status: 500, errorKind: 'http', responseBody: 'boom' });
    expect(result.retryAfterMs).toBeUndefined();
    expect(classifyAttempt(result)).toBe('retry');
  });

  it('should parse Retry-After seconds on 429', async () => {
    const target = await receiver(() => ({ status: 429, headers: { 'retry-after': '5' } }));
    const result = await sender().send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, status: 429, errorKind: 'http', retryAfterMs: 5000 });
    expect(classifyAttempt(result)).toBe('retry');
  });

  it('should parse an HTTP-date Retry-After on 503', async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 120_000);
    const target = await receiver(() => ({ status: 503, headers: { 'retry-after': at.toUTCString() } }));
    const result = await sender().send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result.status).toBe(503);
    expect(result.retryAfterMs).toBeGreaterThan(100_000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('should cap Retry-After at 24 h', async () => {
    const target = await receiver(() => ({ status: 429, headers: { 'retry-after': '999999999' } }));
    const result = await sender().send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result.retryAfterMs).toBe(24 * 60 * 60 * 1000);
  });
});

describe('createHttpSender: redirects', () => {
  it('should not follow a 302, naming the Location', async () => {
    const elsewhere = await receiver();
    const target = await receiver(() => ({ status: 302, headers: { location: `${elsewhere.url}moved` } }));
    const result = await sender().send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, status: 302, errorKind: 'redirect' });
    expect(result.error).toContain(`${elsewhere.url}moved`);
    expect(classifyAttempt(result)).toBe('retry');
    expect(target.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it.each([301, 303, 307, 308])('should not follow a %i either', async (status) => {
    const elsewhere = await receiver();
    const target = await receiver(() => ({ status, headers: { location: elsewhere.url } }));
    const result = await sender().send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, status, errorKind: 'redirect' });
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe('createHttpSender: response capture', () => {
  it('should keep at most responseBodyBytes of a 1 MiB response', async () => {
    const target = await receiver(() => ({ status: 200, body: Buffer.alloc(1024 * 1024, 'a') }));
    const result = await sender({ responseBodyBytes: 4096 }).send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result.ok).toBe(true);
    expect(result.responseBody).toBe('a'.repeat(4096));
  });

  it('should stop reading an endless response once the cap is reached', async () => {
    const target = await receiver(() => ({ status: 200, body: drip('x'.repeat(64), 1_000_000, 20) }));
    const result = await sender({ responseBodyBytes: 100, timeoutMs: 10_000 }).send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: 'x'.repeat(100) });
    expect(result.errorKind).toBeUndefined();
  });

  it.each([
    ['€', 10, 3],
    ['😀', 10, 2],
    ['é', 5, 2],
  ])('should cut %s on a character boundary at a %i-byte cap', async (char, cap, count) => {
    const target = await receiver(() => ({ status: 200, body: char.repeat(100) }));
    const result = await sender({ responseBodyBytes: cap }).send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result.responseBody).toBe(char.repeat(count));
    expect(Buffer.byteLength(result.responseBody ?? '')).toBeLessThanOrEqual(cap);
    expect(result.responseBody).not.toContain('\uFFFD');
  });

  it('should keep no body with a cap of 0', async () => {
    const target = await receiver();
    const result = await sender({ responseBodyBytes: 0 }).send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: '' });
  });
});

describe('createHttpSender: failures', () => {
  it('should time out on a receiver that never answers', async () => {
    const target = await receiver(() => ({ status: 200, delayMs: Infinity }));
    const result = await sender({ timeoutMs: 300 }).send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, errorKind: 'timeout', error: 'Timed out after 300 ms' });
    expect(result.status).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(300);
    expect(result.durationMs).toBeLessThan(2300);
    expect(classifyAttempt(result)).toBe('retry');
  });

  it('should time out on a slow-drip body, even a 2xx', async () => {
    const target = await receiver(() => ({ status: 200, body: drip('x', 1000, 50) }));
    const result = await sender({ timeoutMs: 300 }).send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, status: 200, errorKind: 'timeout' });
    expect(result.durationMs).toBeGreaterThanOrEqual(300);
    expect(result.durationMs).toBeLessThan(2300);
    expect(classifyAttempt(result)).toBe('retry');
  });

  it('should report a refused connection as a network error', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const result = await sender().send({ url: `http://127.0.0.1:${port}/`, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, errorKind: 'network' });
    expect(result.error).toMatch(/ECONNREFUSED/);
    expect(result.status).toBeUndefined();
  });

  it('should report an untrusted self-signed certificate as a TLS error', async () => {
    const target = await receiver(undefined, { https: true });
    const result = await sender({ ca: undefined }).send({ url: target.url, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, errorKind: 'tls' });
    expect(result.error).toMatch(/^TLS error: .*self[- ]signed/i);
    expect(target.requests).toHaveLength(0);
  });

  it('should report https to a plain-http server as a TLS error', async () => {
    const target = await receiver();
    const result = await sender().send({ url: target.url.replace('http:', 'https:'), body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, errorKind: 'tls' });
    expect(target.requests).toHaveLength(0);
  });

  it('should resolve, not throw, for an unusable URL', async () => {
    const send = sender();
    await expect(send.send({ url: 'not a url', body: BODY, headers: HEADERS })).resolves.toMatchObject({ ok: false, errorKind: 'forbidden_address' });
    await expect(send.send({ url: 'ftp://127.0.0.1/', body: BODY, headers: HEADERS })).resolves.toMatchObject({ ok: false, errorKind: 'forbidden_address' });
  });

  it('should resolve, not throw, for an invalid header value', async () => {
    const target = await receiver();
    const result = await sender().send({ url: target.url, body: BODY, headers: { 'X-Bad': 'a\r\nInjected: 1' } });
    expect(result.ok).toBe(false);
    expect(target.requests).toHaveLength(0);
  });
});

describe('createHttpSender: SSRF', () => {
  it('should refuse at connect time a name that resolves to a loopback address (DNS rebinding)', async () => {
    const target = await receiver(undefined, { https: true });
    const asked: string[] = [];
    const send = sender({ allowPrivateNetworks: false, lookup: loopbackLookup(asked) });
    const result = await send.send({ url: `https://rebind.example:${target.port}/hook`, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, errorKind: 'forbidden_address' });
    expect(result.error).toMatch(/rebind\.example resolves to 127\.0\.0\.1, which is not a public address/);
    expect(result.status).toBeUndefined();
    expect(asked).toContain('rebind.example');
    expect(target.requests).toHaveLength(0);
    expect(classifyAttempt(result)).toBe('retry');
  });

  it('should connect through the injected lookup when private networks are allowed', async () => {
    const target = await receiver();
    const asked: string[] = [];
    const result = await sender({ allowPrivateNetworks: true, lookup: loopbackLookup(asked) }).send({
      url: `http://hooks.test:${target.port}/`,
      body: BODY,
      headers: HEADERS,
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(asked).toEqual(['hooks.test']);
    expect(target.requests[0]?.headers.host).toBe(`hooks.test:${target.port}`);
  });

  it.each(['127.0.0.1', '[::ffff:127.0.0.1]', '127.1', '2130706433'])(
    'should refuse the IP literal %s before connecting',
    async (host) => {
      const target = await receiver();
      const result = await sender({ allowPrivateNetworks: false }).send({ url: `http://${host}:${target.port}/`, body: BODY, headers: HEADERS });
      expect(result).toMatchObject({ ok: false, errorKind: 'forbidden_address' });
      expect(result.error).toMatch(/not a public address/);
      expect(target.requests).toHaveLength(0);
    },
  );

  it('should refuse http:// before connecting when allowHttp is off, and still send https', async () => {
    const plain = await receiver();
    const secure = await receiver(undefined, { https: true });
    const send = sender({ allowHttp: false });
    const refused = await send.send({ url: plain.url, body: BODY, headers: HEADERS });
    expect(refused).toMatchObject({ ok: false, errorKind: 'forbidden_url' });
    expect(refused.error).toMatch(/allowHttp/);
    expect(plain.requests).toHaveLength(0);
    expect(await send.send({ url: secure.url, body: BODY, headers: HEADERS })).toMatchObject({ ok: true, status: 200 });
  });

  it('should refuse localhost at connect time', async () => {
    const target = await receiver();
    const result = await sender({ allowPrivateNetworks: false }).send({ url: `http://localhost:${target.port}/`, body: BODY, headers: HEADERS });
    expect(result).toMatchObject({ ok: false, errorKind: 'forbidden_address' });
    expect(target.requests).toHaveLength(0);
  });
});

afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});
