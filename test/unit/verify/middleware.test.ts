// Tests for lib/verify/middleware.ts over real HTTP: supertest against real Express apps, and a raw client for chunked bodies.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import supertest from 'supertest';
import { describe, it, expect, expectTypeOf } from 'vitest';
import {
  verifyChameleonWebhook,
  type ChameleonWebhook,
  type VerifyChameleonWebhookOptions,
} from '../../../lib/verify/index.js';
import { NOW, OLD_SECRET, SECRET, WEBHOOK_ID, sentAt, signedHeaders, webhookBody } from './fixtures.js';

/** An app whose webhook route echoes what the middleware handed to the next handler. */
function appWith(options: Partial<VerifyChameleonWebhookOptions> = {}, before: RequestHandler[] = []): express.Express {
  const app = express();
  for (const middleware of before) app.use(middleware);
  app.post('/hooks', verifyChameleonWebhook({ secret: SECRET, now: () => NOW, ...options }), (req, res) => {
    expectTypeOf(req.chameleonWebhook).toEqualTypeOf<ChameleonWebhook | undefined>();
    expectTypeOf(req.rawBody).toEqualTypeOf<Buffer | undefined>();
    res.json({
      webhook: req.chameleonWebhook,
      bodyIsWebhook: req.body === req.chameleonWebhook,
      raw: req.rawBody?.toString('utf8'),
      rawIsBuffer: Buffer.isBuffer(req.rawBody),
    });
  });
  return app;
}

/**
 * POSTs `body` to the app's webhook route with `headers`, byte for byte: superagent would otherwise
 * JSON-serialise a Buffer sent as `application/json`.
 */
function post(app: express.Express, body: string | Buffer, headers: Record<string, string>): supertest.Test {
  return supertest(app)
    .post('/hooks')
    .set(headers)
    .serialize((data: unknown) => data as string)
    .send(body);
}

/** Expects the package's `{code: 400, messages}` answer, with a message matching `pattern`. */
function expectRejected(response: supertest.Response, pattern: RegExp, status = 400): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toEqual({ code: status, messages: [expect.stringMatching(pattern)] });
}

describe('verifyChameleonWebhook', () => {
  describe('on a valid webhook', () => {
    it('should call next() with the typed payload in req.chameleonWebhook and req.body, and the raw bytes in req.rawBody', async () => {
      const body = webhookBody();
      const response = await post(appWith(), body, signedHeaders(body)).expect(200);
      expect(response.body).toEqual({ webhook: JSON.parse(body), bodyIsWebhook: true, raw: body, rawIsBuffer: true });
      expect(response.body.webhook.id).toBe(WEBHOOK_ID);
    });

    it('should accept an upper-case signature with surrounding whitespace', async () => {
      const body = webhookBody();
      const headers = signedHeaders(body);
      headers['x-chameleon-signature'] = ` ${headers['x-chameleon-signature']?.toUpperCase()} `;
      await post(appWith(), body, headers).expect(200);
    });

    it('should accept a body signed with the previous secret while rotating', async () => {
      const body = webhookBody();
      const app = appWith({ secret: [SECRET, OLD_SECRET] });
      await post(app, body, signedHeaders(body, OLD_SECRET)).expect(200);
      await post(app, body, signedHeaders(body, SECRET)).expect(200);
      expectRejected(await post(app, body, signedHeaders(body, 'a-retired-secret')), /does not match/);
    });

    it('should verify the exact bytes of a body with a raw U+2028 and non-ASCII text', async () => {
      const body = webhookBody({ data: { text: 'a\u2028b — Zoë 日本' } });
      const response = await post(appWith(), Buffer.from(body, 'utf8'), signedHeaders(body)).expect(200);
      expect(response.body.webhook.data).toEqual({ text: 'a\u2028b — Zoë 日本' });
    });
  });

  describe('on a bad signature', () => {
    it('should answer 400 for a tampered body', async () => {
      const body = webhookBody();
      expectRejected(await post(appWith(), body.replace('u-1', 'u-2'), signedHeaders(body)), /does not match/);
    });

    it('should answer 400 for a tampered signature', async () => {
      const body = webhookBody();
      const headers = signedHeaders(body);
      const signature = headers['x-chameleon-signature'] as string;
      headers['x-chameleon-signature'] = `${signature[0] === 'f' ? 'e' : 'f'}${signature.slice(1)}`;
      expectRejected(await post(appWith(), body, headers), /does not match/);
    });

    it.each([
      ['wrong-length', (s: string) => s.slice(0, 63)],
      ['over-long', (s: string) => `${s}00`],
      ['non-hex', () => 'g'.repeat(64)],
    ])('should answer 400 for a %s signature', async (_label, mangle) => {
      const body = webhookBody();
      const headers = signedHeaders(body);
      headers['x-chameleon-signature'] = mangle(headers['x-chameleon-signature'] as string);
      expectRejected(await post(appWith(), body, headers), /does not match/);
    });

    it('should answer 400 when the signature header is missing', async () => {
      const body = webhookBody();
      const { 'x-chameleon-signature': _omitted, ...headers } = signedHeaders(body);
      expectRejected(await post(appWith(), body, headers), /Missing the X-Chameleon-Signature header/);
    });
  });

  describe('on sent_at', () => {
    it.each([
      ['301 s old', -301, /stale/],
      ['301 s ahead', 301, /from the future/],
    ])('should answer 400 for a webhook sent %s', async (_label, seconds, pattern) => {
      const body = webhookBody({ sent_at: sentAt(seconds) });
      expectRejected(await post(appWith(), body, signedHeaders(body)), pattern);
    });

    it.each([-300, 300])('should accept a webhook exactly at the boundary (%i s)', async (seconds) => {
      const body = webhookBody({ sent_at: sentAt(seconds) });
      await post(appWith(), body, signedHeaders(body)).expect(200);
    });

    it.each([
      ['missing', undefined],
      ['not a date', 'not-a-date'],
      ['a number', 1714564800],
    ])('should answer 400 when sent_at is %s', async (_label, value) => {
      const body = webhookBody({ sent_at: value });
      expectRejected(await post(appWith(), body, signedHeaders(body)), /sent_at/);
    });

    it('should honour a custom tolerance', async () => {
      const body = webhookBody({ sent_at: sentAt(-61) });
      expectRejected(await post(appWith({ toleranceSeconds: 60 }), body, signedHeaders(body)), /stale/);
    });
  });

  describe('on the body', () => {
    it('should answer 400 for malformed JSON, even when signed', async () => {
      const body = '{"id":"5f3c4232c712de665632a2a3","kind":';
      expectRejected(await post(appWith(), body, signedHeaders(body)), /not valid JSON/);
    });

    it('should answer 400 for an empty body', async () => {
      expectRejected(await post(appWith(), '', signedHeaders('')), /not valid JSON/);
    });

    it('should answer 413 for a body over maxBodyBytes (Content-Length)', async () => {
      const body = webhookBody({ data: { padding: 'x'.repeat(2048) } });
      expectRejected(await post(appWith({ maxBodyBytes: 1024 }), body, signedHeaders(body)), /larger than the limit of 1024 bytes/, 413);
    });

    it('should answer 413 for a body over the default limit of 1 MiB', async () => {
      const body = webhookBody({ data: { padding: 'x'.repeat(1024 * 1024) } });
      expectRejected(await post(appWith(), body, signedHeaders(body)), /larger than the limit of 1048576 bytes/, 413);
    });

    it('should accept a body of exactly maxBodyBytes', async () => {
      const body = webhookBody();
      await post(appWith({ maxBodyBytes: Buffer.byteLength(body) }), body, signedHeaders(body)).expect(200);
    });

    it('should answer 413 for a chunked body over maxBodyBytes, counting bytes as they arrive', async () => {
      const server = appWith({ maxBodyBytes: 1024 }).listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => server.once('listening', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const body = webhookBody({ data: { padding: 'x'.repeat(4096) } });
        const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port, method: 'POST', path: '/hooks', headers: signedHeaders(body) },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (text += chunk));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
            },
          );
          req.on('error', reject);
          for (let i = 0; i < body.length; i += 512) req.write(body.slice(i, i + 512)); // no Content-Length: chunked
          req.end();
        });
        expect(answer.status).toBe(413);
        expect(JSON.parse(answer.text)).toEqual({ code: 413, messages: ['The request body is larger than the limit of 1024 bytes'] });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('with other body parsers', () => {
    it('should answer 400 with how to fix it when express.json() consumed the body first', async () => {
      const body = webhookBody();
      const response = await post(appWith({}, [express.json()]), body, signedHeaders(body));
      expectRejected(response, /already consumed/);
      const [message] = response.body.messages as string[];
      expect(message).toMatch(/express\.json\(\)/);
      expect(message).toMatch(/Mount verifyChameleonWebhook\(\) before express\.json\(\)/);
      expect(message).toMatch(/express\.raw\(/);
    });

    it('should answer 400 when express.text() consumed the body first', async () => {
      const body = webhookBody();
      const headers = { ...signedHeaders(body), 'content-type': 'text/plain' };
      expectRejected(await post(appWith({}, [express.text()]), body, headers), /already consumed/);
    });

    it('should still verify when express.json() is mounted but skipped the request (other content type)', async () => {
      const body = webhookBody();
      const headers = { ...signedHeaders(body), 'content-type': 'application/octet-stream' };
      await post(appWith({}, [express.json()]), body, headers).expect(200);
    });

    it('should use the Buffer left by express.raw({ type: "*/*" })', async () => {
      const body = webhookBody();
      const response = await post(appWith({}, [express.raw({ type: '*/*' })]), body, signedHeaders(body)).expect(200);
      expect(response.body).toMatchObject({ bodyIsWebhook: true, raw: body, rawIsBuffer: true });
    });

    it('should reject a tampered body parsed by express.raw()', async () => {
      const body = webhookBody();
      const app = appWith({}, [express.raw({ type: '*/*' })]);
      expectRejected(await post(app, body.replace('tour.completed', 'tour.exited'), signedHeaders(body)), /does not match/);
    });

    it('should answer 413 when the Buffer from express.raw() is over maxBodyBytes', async () => {
      const body = webhookBody({ data: { padding: 'x'.repeat(2048) } });
      const app = appWith({ maxBodyBytes: 1024 }, [express.raw({ type: '*/*' })]);
      expectRejected(await post(app, body, signedHeaders(body)), /larger than the limit/, 413);
    });

    it('should let routes mounted after it use express.json() as usual', async () => {
      const app = express();
      app.post('/hooks', verifyChameleonWebhook({ secret: SECRET, now: () => NOW }), (req, res) => {
        res.json({ kind: req.chameleonWebhook?.kind });
      });
      app.use(express.json());
      app.post('/other', (req, res) => res.json({ echoed: req.body }));
      const body = webhookBody();
      await supertest(app).post('/hooks').set(signedHeaders(body)).send(body).expect(200, { kind: 'tour.completed' });
      await supertest(app).post('/other').send({ a: 1 }).expect(200, { echoed: { a: 1 } });
    });
  });
});
