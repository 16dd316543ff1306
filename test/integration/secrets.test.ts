// Integration tests for "secrets never leave" (issue 11 item 2): the requests that used to echo a secret, the logger's
// redaction, and the run-wide watcher itself (test/setup/secret-watch.ts), which must catch a leak.
import { describe, it, expect, beforeAll } from 'vitest';
import express from 'express';
import request from 'supertest';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { takeLeaks } from '../setup/secret-watch.js';

const base = `/v3/observe/hooks/${ACCOUNT.secret}`;

describe('secrets never leave', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    const capture = (level: string) => (obj: object, msg?: string) => lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
    t = await createTestApp({ logger: { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') } });
  });

  it.each<[string, () => request.Test]>([
    ['a typo after the secret in the path', () => request(t.app).post(`${base}/profilez`).send({ uid: 'x' })],
    ['an unknown deeper path', () => request(t.app).get(`${base}/profiles/batch/nothing`)],
    ['a secret as a query parameter of a typo', () => request(t.app).get(`/v3/edit/webhooks/x/y/z?account_secret=${ACCOUNT.secret}`)],
    ['a form body carrying the secret', () => request(t.app).post('/v3/observe/hooks/profiles').type('form').send(`account_secret=${ACCOUNT.secret}&uid=1`)],
    ['malformed JSON around the secret', () => request(t.app).post(`${base}/profiles`).set('Content-Type', 'application/json').send(`{"account_secret":"${ACCOUNT.secret}",}`)],
    ['a body that is the secret', () => request(t.app).post(`${base}/events`).set('Content-Type', 'text/plain').send(ACCOUNT.secret)],
    ['a wrong secret (no hint of the right one)', () => request(t.app).post('/v3/observe/hooks/acct_test_secret_0123456789abcdeX/profiles').send({ uid: 'x' })],
    ['the secret as an event property', () => request(t.app).post(`${base}/events`).send({ uid: 'x', name: 'Leaky', secretCopy: 'fine', accountSecret: ACCOUNT.secret })],
  ])('should not echo the secret for %s', async (_label, send) => {
    const res = await send();
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.text).not.toContain(ACCOUNT.secret);
    expect(JSON.stringify(res.headers)).not.toContain(ACCOUNT.secret);
  });

  it('should not store a secret sent as a property (a reserved name) nor read it back', async () => {
    await request(t.app).post(`${base}/profiles`).send({ uid: 'holder', accountSecret: ACCOUNT.secret, plan: 'x' }).expect(200);
    const read = await request(t.app).get('/v3/analyze/profile?uid=holder').set('X-Account-Secret', ACCOUNT.secret).expect(200);
    expect(read.text).not.toContain(ACCOUNT.secret);
    const catalogue = await request(t.app).get('/v3/edit/properties?kind=profile').set('X-Account-Secret', ACCOUNT.secret).expect(200);
    expect(catalogue.text).not.toContain(ACCOUNT.secret);
  });

  it('should redact what the package logs: secret paths, parameters and secret-looking keys', () => {
    t.hooks.config.logger.error(
      { path: `${base}/profilez`, url: `/v3/edit/webhooks?account_secret=${ACCOUNT.secret}`, headers: { 'x-account-secret': ACCOUNT.secret }, err: new Error(`No route for POST ${base}/x`) },
      `failed at ${base}/profiles`,
    );
    expect(lines.at(-1)).toContain(':account_secret');
    for (const line of lines) expect(line).not.toContain(ACCOUNT.secret);
  });

  it('should catch a leak: the run-wide watcher sees a response that carries a test secret', async () => {
    const leaky = express().get('/leak', (_req, res) => {
      res.json({ oops: ACCOUNT.webhookSecret });
    });
    await request(leaky).get('/leak').expect(200);
    const caught = takeLeaks();
    expect(caught).toHaveLength(1);
    expect(caught[0]).toMatch(/^GET \/leak: .*<SECRET>/);
  });
});
