// Integration tests for the error format of every failure ({code, messages}, JSON, never HTML or 500) and for mounting the package.
import { describe, it, expect, beforeAll } from 'vitest';
import express from 'express';
import request from 'supertest';
import { chameleonHooks } from '../../lib/index.js';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { useTestDb } from '../helpers/db.js';

const base = `/v3/observe/hooks/${ACCOUNT.secret}`;
const MIB = 1024 * 1024;

/** Asserts the documented error answer: the status, JSON, `{code, messages}` and nothing that looks like a stack. */
function expectErrorFormat(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'messages']);
  expect(res.body.code).toBe(status);
  expect(res.body.messages.length).toBeGreaterThan(0);
  for (const message of res.body.messages) expect(typeof message).toBe('string');
  expect(res.text).not.toMatch(/<html|<pre|\n\s+at |node_modules/i);
}

type Send = (app: express.Express) => request.Test;

describe('error format', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it.each<[string, number, Send]>([
    ['malformed JSON', 400, (app) => request(app).post(`${base}/profiles`).set('Content-Type', 'application/json').send('{"uid": "x",')],
    ['a JSON string body', 400, (app) => request(app).post(`${base}/profiles`).set('Content-Type', 'application/json').send('"uid"')],
    ['an empty JSON body', 400, (app) => request(app).post(`${base}/profiles`).set('Content-Type', 'application/json').send('')],
    ['a form-encoded body that is not JSON', 400, (app) => request(app).post(`${base}/profiles`).type('form').send({ uid: 'x' })],
    ['a multipart body', 400, (app) => request(app).post(`${base}/profiles`).field('uid', 'x')],
    ['a text/plain body that is not JSON', 400, (app) => request(app).post(`${base}/events`).set('Content-Type', 'text/plain').send('uid x')],
    ['text/plain on the management API', 415, (app) => request(app).post('/v3/edit/webhooks').set('X-Account-Secret', ACCOUNT.secret).set('Content-Type', 'text/plain').send('{"url":"x"}')],
    ['no content type on the management API', 415, (app) => request(app).post('/v3/edit/webhooks').set('X-Account-Secret', ACCOUNT.secret).send('{"url":"x"}').unset('Content-Type')],
    ['a single body over 1 MiB', 413, (app) => request(app).post(`${base}/profiles`).send({ uid: 'big', text: 'x'.repeat(MIB) })],
    ['an event body over 1 MiB', 413, (app) => request(app).post(`${base}/events`).send({ uid: 'big', name: 'Big', text: 'x'.repeat(MIB) })],
    ['a company body over 1 MiB', 413, (app) => request(app).post(`${base}/companies`).send({ uid: 'big', text: 'x'.repeat(MIB) })],
    ['no identifier', 422, (app) => request(app).post(`${base}/profiles`).send({ plan: 'gold' })],
    ['an unknown secret', 403, (app) => request(app).post('/v3/observe/hooks/acct_not_a_known_secret_123/profiles').send({ uid: 'x' })],
    ['no secret', 403, (app) => request(app).post('/v3/observe/hooks/profiles').send({ uid: 'x' })],
    ['no secret on a read route', 403, (app) => request(app).get('/v3/edit/event_names')],
    ['an unknown route under the package\'s /v3 paths', 404, (app) => request(app).get('/v3/edit/webhooks/5f885a88e7daf3000e3eb4f6/nothing')],
    ['an unknown observe route', 404, (app) => request(app).post(`${base}/widgets`).send({ uid: 'x' })],
    ['a wrong method on a known route (405, with Allow)', 405, (app) => request(app).get(`${base}/profiles`)],
    ['a malformed %-escape in the path', 400, (app) => request(app).get('/v3/analyze/profiles/%E0%A4%A').set('X-Account-Secret', ACCOUNT.secret)],
    ['a malformed %-escape in the secret', 400, (app) => request(app).post('/v3/observe/hooks/%ZZ/profiles').send({ uid: 'x' })],
    ['a record that does not exist', 404, (app) => request(app).get('/v3/analyze/profiles/5f885a88e7daf3000e3eb4f6').set('X-Account-Secret', ACCOUNT.secret)],
  ])('should answer %s with %i in the documented format', async (_label, status, send) => {
    expectErrorFormat(await send(t.app), status);
  });

  it('should state the limit in the 413 message of a single body', async () => {
    const res = await request(t.app).post(`${base}/profiles`).send({ uid: 'big', text: 'x'.repeat(MIB) }).expect(413);
    expect(res.body.messages).toEqual(['The request body must be less than 1mb']);
  });

  it('should name the route pattern in a 404, never the secret or id in the path', async () => {
    const res = await request(t.app).post(`${base}/profilez?account_secret=${ACCOUNT.secret}`).send({ uid: 'x' }).expect(404);
    expect(res.body.messages).toEqual(['No route for POST /v3/observe/hooks/:account_secret/profilez']);
    expect(res.text).not.toContain(ACCOUNT.secret);
    const byId = await request(t.app).get('/v3/edit/webhooks/5f885a88e7daf3000e3eb4f6/pingz').set('X-Account-Secret', ACCOUNT.secret).expect(404);
    expect(byId.body.messages).toEqual(['No route for GET /v3/edit/webhooks/:id/pingz']);
    const long = await request(t.app).get(`/v3/analyze/profiles/x/${ACCOUNT.secret}`).expect(404);
    expect(long.body.messages).toEqual(['No route for GET /v3/analyze/profiles/x/:value']);
    const typo = await request(t.app).post('/v3/observe/hooks/profilez').send({ uid: 'x' }).expect(404);
    expect(typo.body.messages).toEqual(['No route for POST /v3/observe/hooks/profilez']);
  });

  it('should leave a host\'s own /v3 routes alone when mounted at /', async () => {
    const db = await useTestDb();
    const hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, accounts: [ACCOUNT] });
    const app = express();
    app.use(hooks);
    app.get('/v3/host/status', (_req, res) => {
      res.json({ host: 'status' });
    });
    app.post('/v3/edit/host-things', (_req, res) => {
      res.status(201).json({ host: 'thing' });
    });
    try {
      await request(app).get('/v3/host/status').expect(200, { host: 'status' });
      await request(app).post('/v3/edit/host-things').expect(201, { host: 'thing' });
      const missing = await request(app).get('/v3/nothing/here');
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).not.toMatch(/^application\/json/); // the host's 404, not ours
      expectErrorFormat(await request(app).get('/v3/edit/webhooks/x/y/z').set('X-Account-Secret', ACCOUNT.secret), 404);
    } finally {
      await hooks.close();
    }
  });

  it('should leave host routes outside /v3 to the host when mounted at /', async () => {
    const res = await request(t.app).get('/host-route').expect(200);
    expect(res.body).toEqual({ host: true });
    const missing = await request(t.app).get('/not-ours');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).not.toMatch(/^application\/json/); // Express's own 404, not ours
  });

  it('should check the secret in the path before reading the body', async () => {
    const res = await request(t.app).post('/v3/observe/hooks/acct_not_a_known_secret_123/profiles').set('Content-Type', 'application/json').send('{not json');
    expectErrorFormat(res, 403);
  });
});

describe('mounted under a path', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, '/chameleon');
  });

  it('should serve every route below the mount path', async () => {
    const created = await request(t.app).post(`/chameleon${base}/profiles`).send({ uid: 'mounted', plan: 'gold' }).expect(200);
    const read = await request(t.app).get(`/chameleon/v3/analyze/profiles/${created.body.profile.id}`).set('X-Account-Secret', ACCOUNT.secret).expect(200);
    expect(read.body.profile).toMatchObject({ uid: 'mounted', plan: 'gold' });
    await request(t.app).post(`/chameleon${base}/profiles/batch`).send({ profiles: [{ uid: 'mounted-2' }] }).expect(202);
  });

  it('should answer unknown routes under the mount with a JSON 404 naming the full path', async () => {
    const res = await request(t.app).get('/chameleon/v3/unknown');
    expectErrorFormat(res, 404);
    expect(res.body.messages[0]).toBe('No route for GET /chameleon/v3/unknown');
  });

  it('should not answer outside its mount path', async () => {
    const res = await request(t.app).post(`${base}/profiles`).send({ uid: 'outside' });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).not.toMatch(/^application\/json/);
    await request(t.app).get('/host-route').expect(200);
  });
});

describe('behind a host-level body parser', () => {
  it('should accept bodies that the host’s express.json() already parsed', async () => {
    const t = await createTestApp();
    const app = express();
    app.use(express.json({ limit: '2mb' }));
    app.use(t.hooks);
    const res = await request(app).post(`${base}/profiles`).send({ uid: 'pre-parsed', 'Plan Name': 'gold' }).expect(200);
    await request(app).post(`${base}/profiles/batch`).send({ profiles: [{ uid: 'pre-parsed-2' }] }).expect(202);
    await request(app).post('/v3/observe/hooks/profiles').send({ uid: 'pre-parsed-3', account_secret: ACCOUNT.secret }).expect(200);
    const read = await request(app).get(`/v3/analyze/profiles/${res.body.profile.id}`).set('X-Account-Secret', ACCOUNT.secret).expect(200);
    expect(read.body.profile).toMatchObject({ uid: 'pre-parsed', plan_name: 'gold' });
    expectErrorFormat(await request(app).post(`${base}/profiles`).set('Content-Type', 'application/json').send('[1]'), 400);
  });

  it('should accept bodies that the host’s express.text() read as a string', async () => {
    const t = await createTestApp();
    const app = express();
    app.use(express.text({ type: '*/*' }));
    app.use(t.hooks);
    await request(app).post(`${base}/profiles`).set('Content-Type', 'application/json').send('{"uid":"as-text"}').expect(200);
    expectErrorFormat(await request(app).post(`${base}/profiles`).set('Content-Type', 'application/json').send('{oops'), 400);
  });
});

describe('after close()', () => {
  it('should answer 503 in the documented format', async () => {
    const db = await useTestDb();
    const hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, accounts: [ACCOUNT] });
    const app = express().use(hooks);
    await hooks.ready();
    await request(app).post(`${base}/profiles`).send({ uid: 'before-close' }).expect(200);
    await hooks.close();
    expectErrorFormat(await request(app).post(`${base}/profiles`).send({ uid: 'after-close' }), 503);
    expectErrorFormat(await request(app).get('/v3/edit/event_names').set('X-Account-Secret', ACCOUNT.secret), 503);
  });
});
