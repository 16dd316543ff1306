// Integration tests for bodies as partners send them (issue 7 §3, issue 11): no header required, a partner's own `id`
// ignored with a data warning, `uid`/`email` before `id`, `company_uid: null` unlinking, and the one rule for colliding names.
import { describe, it, expect, beforeAll } from 'vitest';
import express from 'express';
import request from 'supertest';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { chameleonHooks } from '../../lib/index.js';
import { useTestDb } from '../helpers/db.js';
import { postBatch, waitForBatch } from '../helpers/batches.js';

const base = `/v3/observe/hooks/${ACCOUNT.secret}`;
const auth = { 'X-Account-Secret': ACCOUNT.secret };

interface Warning {
  prop: string;
  reason: string;
  example: string;
  count: number;
}

describe('bodies as partners send them', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  const profile = async (uid: string): Promise<Record<string, unknown>> =>
    (await request(t.app).get(`/v3/analyze/profile?uid=${uid}`).set(auth).expect(200)).body.profile as Record<string, unknown>;

  describe('no header required', () => {
    it.each<[string, string | undefined]>([
      ['no Content-Type', undefined],
      ['text/plain', 'text/plain'],
      ['application/x-www-form-urlencoded (curl -d)', 'application/x-www-form-urlencoded'],
      ['an unrelated type', 'application/octet-stream'],
    ])('should accept a JSON body sent with %s on every data-in route', async (_label, type) => {
      const tag = (type ?? 'none').replace(/\W/g, '_');
      const send = (path: string, body: unknown): request.Test => {
        const req = request(t.app).post(`${base}/${path}`);
        return (type === undefined ? req.unset('Content-Type') : req.set('Content-Type', type)).send(JSON.stringify(body));
      };
      await send('profiles', { uid: `ct-${tag}`, plan: 'gold' }).expect(200);
      await send('events', { uid: `ct-${tag}`, name: 'Signed Up' }).expect(200);
      await send('companies', { uid: `co-${tag}`, mrr: '10' }).expect(200);
      const batch = await send('profiles/batch', { profiles: [{ uid: `ctb-${tag}` }] }).expect(202);
      expect(batch.body.errors).toEqual([]);
      expect((await waitForBatch(t.app, batch.body.batch.id)).errors).toEqual([]);
      expect(await profile(`ct-${tag}`)).toMatchObject({ plan: 'gold' });
      expect(await profile(`ctb-${tag}`)).toMatchObject({ uid: `ctb-${tag}` });
    });

    it('should answer 400 saying the body is not JSON, without quoting it', async () => {
      const res = await request(t.app).post(`${base}/profiles`).set('Content-Type', 'application/x-www-form-urlencoded').send(`account_secret=${ACCOUNT.secret}&uid=1`).expect(400);
      expect(res.body).toEqual({ code: 400, messages: [expect.stringContaining('not JSON (sent as application/x-www-form-urlencoded)')] });
      expect(res.text).not.toContain('acct_');
      const malformed = await request(t.app).post(`${base}/profiles`).set('Content-Type', 'application/json').send(`{"uid":"x","secret":"${ACCOUNT.secret}" oops}`).expect(400);
      expect(malformed.body.messages[0]).toMatch(/^Malformed JSON at position \d+/);
      expect(malformed.text).not.toContain('acct_');
    });

    it('should still refuse a declared charset other than UTF-8', async () => {
      await request(t.app).post(`${base}/profiles`).set('Content-Type', 'text/plain; charset=latin1').send('{"uid":"x"}').expect(415);
    });

    it('should read curl -d JSON that a host express.urlencoded() parsed first', async () => {
      const db = await useTestDb();
      const hooks = chameleonHooks({ mongo: { client: db.client, dbName: db.dbName }, accounts: [ACCOUNT] });
      const app = express();
      app.use(express.urlencoded({ extended: false }));
      app.use(hooks);
      await hooks.ready();
      try {
        await request(app).post(`${base}/profiles`).type('form').send('{"uid":"via-host-parser","plan":"gold"}').expect(200);
        const read = await request(app).get('/v3/analyze/profile?uid=via-host-parser').set(auth).expect(200);
        expect(read.body.profile).toMatchObject({ plan: 'gold' });
      } finally {
        await hooks.close();
      }
    });
  });

  describe('a partner id', () => {
    it.each<[string, unknown]>([
      ['a cio_ string', 'cio_123'],
      ['a number', 4242],
      ['an object', { a: 1 }],
    ])('should ignore %s as `id` with a data warning and identify by uid', async (_label, id) => {
      const uid = `cio-${JSON.stringify(id).replace(/\W/g, '')}`;
      const res = await request(t.app).post(`${base}/profiles`).send({ id, uid, plan: 'gold' }).expect(200);
      const read = await profile(uid);
      expect(read).toMatchObject({ id: res.body.profile.id, plan: 'gold' });
      const warnings = (await request(t.app).get('/v3/edit/properties?kind=profile').set(auth).expect(200)).body.properties
        .flatMap((p: { warnings: Warning[] }) => p.warnings) as Warning[];
      expect(warnings.some((w) => w.prop === 'id' && w.reason === 'reserved_name' && w.example.startsWith(typeof id === 'string' ? id : JSON.stringify(id)))).toBe(true);
    });

    it('should let uid take precedence over a 24-hex id that names no record (was a 404)', async () => {
      const res = await request(t.app).post(`${base}/profiles`).send({ id: '5f885a88e7daf3000e3eb4f6', uid: 'hex-and-uid', plan: 'x' }).expect(200);
      expect(await profile('hex-and-uid')).toMatchObject({ id: res.body.profile.id, plan: 'x' });
    });

    it('should let email take precedence over an id', async () => {
      const a = await request(t.app).post(`${base}/profiles`).send({ email: 'pref@example.com', plan: 'a' }).expect(200);
      const b = await request(t.app).post(`${base}/profiles`).send({ id: 'cio_9', email: 'pref@example.com', plan: 'b' }).expect(200);
      expect(b.body.profile.id).toBe(a.body.profile.id);
    });

    it('should still update a record by its stored id alone, and 404 an unknown one', async () => {
      const a = await request(t.app).post(`${base}/profiles`).send({ uid: 'by-id', plan: 'a' }).expect(200);
      await request(t.app).post(`${base}/profiles`).send({ id: a.body.profile.id, plan: 'b' }).expect(200);
      expect(await profile('by-id')).toMatchObject({ plan: 'b' });
      await request(t.app).post(`${base}/profiles`).send({ id: '5f885a88e7daf3000e3eb4f6', plan: 'b' }).expect(404);
      await request(t.app).post(`${base}/profiles`).send({ id: 'cio_only' }).expect(422);
    });

    it('should ignore a partner id on events, companies and batch items', async () => {
      await request(t.app).post(`${base}/events`).send({ id: 'cio_1', uid: 'ev-cio', name: 'Clicked' }).expect(200);
      await request(t.app).post(`${base}/companies`).send({ id: 77, uid: 'co-cio', plan: 'x' }).expect(200);
      const { res: batch, batch: applied } = await postBatch(t.app, `${base}/profiles/batch`, { profiles: [{ id: 'cio_2', uid: 'b-cio' }, { id: '5f885a88e7daf3000e3eb4f6', uid: 'b-hex' }] });
      expect(batch.body.errors).toEqual([]);
      expect(applied.errors).toEqual([]);
      expect(await profile('b-hex')).toMatchObject({ uid: 'b-hex' });
      const events = await request(t.app).get(`/v3/analyze/profiles/${(await profile('ev-cio')).id as string}/events`).set(auth).expect(200);
      expect(events.body.events).toHaveLength(1);
    });
  });

  describe('company_uid: null', () => {
    it.each(['company_uid', 'company_id', 'company'])('should unlink a profile from its company with %s: null', async (key) => {
      const uid = `unlink-${key}`;
      await request(t.app).post(`${base}/profiles`).send({ uid, company_uid: 'acme-co' }).expect(200);
      expect((await profile(uid)).company_id).toMatch(/^[0-9a-f]{24}$/);
      await request(t.app).post(`${base}/profiles`).send({ uid, [key]: null }).expect(200);
      expect((await profile(uid)).company_id).toBeNull();
    });

    it('should unlink in a batch too, and keep a link that another key names', async () => {
      await postBatch(t.app, `${base}/profiles/batch`, { profiles: [{ uid: 'bu-1', company_uid: 'co-a' }, { uid: 'bu-2', company_uid: 'co-a' }] });
      await postBatch(t.app, `${base}/profiles/batch`, { profiles: [{ uid: 'bu-1', company_uid: null }, { uid: 'bu-2', company_id: null, company_uid: 'co-b' }] });
      expect((await profile('bu-1')).company_id).toBeNull();
      const coB = (await request(t.app).get('/v3/analyze/company?uid=co-b').set(auth).expect(200)).body.company.id as string;
      expect((await profile('bu-2')).company_id).toBe(coB);
    });
  });

  describe('keys that normalise to the same name: the last one wins, a last null removes', () => {
    it.each<[string, string, unknown]>([
      ['a value then null', '{"userRole":"admin","user_role":null}', undefined],
      ['null then a value', '{"user_role":null,"userRole":"admin"}', 'admin'],
      ['two values', '{"userRole":"admin","User Role":"owner"}', 'owner'],
    ])('should apply the rule to %s in a single request, a batch, a nested company and an event', async (label, props, expected) => {
      const tag = label.replace(/\W/g, '');
      const bag = JSON.parse(props) as Record<string, unknown>;
      const set = (uid: string): Promise<unknown> => request(t.app).post(`${base}/profiles`).send({ uid, user_role: 'before' }).expect(200);
      await set(`single-${tag}`);
      await set(`batch-${tag}`);
      await request(t.app).post(`${base}/profiles`).send({ uid: `single-${tag}`, ...bag }).expect(200);
      await postBatch(t.app, `${base}/profiles/batch`, { profiles: [{ uid: `batch-${tag}`, ...bag }] });
      await request(t.app).post(`${base}/companies`).send({ uid: `co-${tag}`, user_role: 'before' }).expect(200);
      await request(t.app).post(`${base}/profiles`).send({ uid: `nested-${tag}`, company: { uid: `co-${tag}`, ...bag } }).expect(200);
      await request(t.app).post(`${base}/events`).send({ uid: `single-${tag}`, name: `Rule ${tag}`, ...bag }).expect(200);
      for (const uid of [`single-${tag}`, `batch-${tag}`]) expect((await profile(uid)).user_role).toBe(expected);
      const company = (await request(t.app).get(`/v3/analyze/company?uid=co-${tag}`).set(auth).expect(200)).body.company;
      expect(company.user_role).toBe(expected);
      const events = await request(t.app).get(`/v3/analyze/profiles/${(await profile(`single-${tag}`)).id as string}/events`).set(auth).expect(200);
      expect(events.body.events[0].properties.user_role).toBe(expected);
    });
  });
});
