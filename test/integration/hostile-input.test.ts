// Integration tests with hostile input: prototype pollution, operator injection, depth bombs, huge values, wrong types, compression bombs, lying lengths, bad encodings.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import express from 'express';
import request from 'supertest';
import { gzipSync, deflateSync } from 'node:zlib';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { listen, rawExchange, rawPost } from './support/raw-http.js';

const base = `/v3/observe/hooks/${ACCOUNT.secret}`;
const auth = { 'X-Account-Secret': ACCOUNT.secret };
const JSON_TYPE = { 'content-type': 'application/json' };
const VICTIM = { uid: 'victim', email: 'victim@example.com', plan: 'gold', seats: 5 };

/** Every key anywhere in a stored value, so a test can prove no `$` or `.` key was written. */
function allKeys(value: unknown, out: string[] = []): string[] {
  if (value && typeof value === 'object' && !(value instanceof Date) && !Array.isArray(value)) {
    for (const key of Object.keys(value)) {
      out.push(key);
      allKeys((value as Record<string, unknown>)[key], out);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) allKeys(item, out);
  }
  return out;
}

describe('hostile input', () => {
  let t: TestApp;
  let port: number;
  let victim: Record<string, unknown>;
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  const readVictim = async () => (await request(t.app).get('/v3/analyze/profile?uid=victim').set(auth).expect(200)).body.profile as Record<string, unknown>;
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = JSON_TYPE) =>
    rawPost(port, path, headers, typeof body === 'string' ? Buffer.from(body, 'utf8') : body);

  /** What the package logged at error level: an unexpected error (a 500) would show up here. */
  const logged: unknown[] = [];
  const logger = { debug() {}, info() {}, warn() {}, error: (obj: object) => void logged.push(obj) };

  beforeAll(async () => {
    t = await createTestApp({ logger });
    ({ port } = await listen(t.app));
    await request(t.app).post(`${base}/profiles`).send(VICTIM).expect(200);
    victim = await readVictim();
  });

  afterAll(async () => {
    // Whatever came before: the process is alive, a normal request works, the victim is untouched.
    await request(t.app).post(`${base}/profiles`).send({ uid: 'still-alive', plan: 'ok' }).expect(200);
    expect(await readVictim()).toEqual(victim);
    expect(await t.db.db.collection('chameleon_profiles').countDocuments({ account: ACCOUNT.id, uid: 'victim' })).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(logged).toEqual([]);
  });

  describe('prototype pollution and operator keys', () => {
    it.each<[string, string, string]>([
      ['a profile', 'profiles', '{"uid":"pp-1","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"nested":{"__proto__":{"polluted":"yes"}}}'],
      ['a company', 'companies', '{"uid":"pp-2","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'],
      ['an event', 'events', '{"name":"Polluter","uid":"pp-3","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'],
      ['a batch', 'profiles/batch', '{"__proto__":{"polluted":"yes"},"profiles":[{"uid":"pp-4","__proto__":{"polluted":"yes"}}]}'],
      ['a company batch', 'companies/batch', '{"__proto__":{"polluted":"yes"},"companies":[{"uid":"pp-5","__proto__":{"polluted":"yes"}}]}'],
    ])('should not pollute any prototype through %s', async (_label, path, body) => {
      const res = await post(`${base}/${path}`, body);
      expect([200, 202]).toContain(res.status);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    });

    it('should store constructor and prototype as plain data and drop __proto__', async () => {
      const profile = (await request(t.app).get('/v3/analyze/profile?uid=pp-1').set(auth).expect(200)).body.profile;
      expect(profile.constructor).toEqual({ prototype: { polluted: 'yes' } });
      expect(profile.prototype).toEqual({ polluted: 'yes' });
      expect(profile.nested).toEqual({});
      expect(Object.keys(profile)).not.toContain('__proto__');
      expect(profile.polluted).toBeUndefined();
    });

    it('should never write a key with $ or . into MongoDB', async () => {
      const res = await post(
        `${base}/profiles`,
        JSON.stringify({ uid: 'ops', $where: 'sleep(1000)', $set: { plan: 'hacked' }, 'a.b': 1, 'x.$y': 2, obj: { $gt: 1, 'c.d': { 'e.f': 3 } }, arr: ['$ne', 'a.b'] }),
      );
      expect(res.status).toBe(200);
      const doc = await t.db.db.collection('chameleon_profiles').findOne({ account: ACCOUNT.id, uid: 'ops' });
      const keys = allKeys(doc!.props);
      expect(keys.filter((k) => k.includes('$') || k.includes('.'))).toEqual([]);
      expect(doc!.props).toMatchObject({ a_b: 1, x_y: 2, obj: { c_d: { e_f: 3 } }, arr: ['$ne', 'a.b'] });
      expect(doc!.props).not.toHaveProperty('plan');
    });
  });

  describe('operator objects as identifiers', () => {
    it.each<[string, string, Record<string, unknown>]>([
      ['uid $ne', 'profiles', { uid: { $ne: null }, plan: 'hacked' }],
      ['uid $gt', 'profiles', { uid: { $gt: '' }, plan: 'hacked' }],
      ['email $gt', 'profiles', { email: { $gt: '' }, plan: 'hacked' }],
      ['email $regex', 'profiles', { email: { $regex: '.*' }, plan: 'hacked' }],
      ['id $ne', 'profiles', { id: { $ne: null }, plan: 'hacked' }],
      ['company_id $ne', 'profiles', { uid: 'victim', company_id: { $ne: null } }],
      ['company_uid $ne', 'profiles', { uid: 'victim', company_uid: { $ne: null } }],
      ['company uid $ne', 'companies', { uid: { $ne: null }, plan: 'hacked' }],
      ['event uid $ne', 'events', { name: 'Hack', uid: { $ne: null } }],
      ['event user_id $ne', 'events', { name: 'Hack', user_id: { $ne: null } }],
      ['event profile_id $ne', 'events', { name: 'Hack', profile_id: { $ne: null } }],
      ['event email $gt', 'events', { name: 'Hack', email: { $gt: '' } }],
    ])('should answer 422 for %s and leave existing records alone', async (_label, path, body) => {
      const res = await request(t.app).post(`${base}/${path}`).send(body).expect(422);
      expect(res.body).toEqual({ code: 422, messages: expect.arrayContaining([expect.any(String)]) });
      expect(await readVictim()).toEqual(victim);
    });

    it('should report operator identifiers in a batch as item errors without touching anyone', async () => {
      const res = await request(t.app)
        .post(`${base}/profiles/batch`)
        .send({ profiles: [{ uid: { $ne: null }, plan: 'hacked' }, { email: { $gt: '' }, plan: 'hacked' }, { id: { $ne: null }, plan: 'hacked' }] })
        .expect(202);
      expect(res.body.errors.map((e: { index: number; code: number }) => [e.index, e.code])).toEqual([[0, 422], [1, 422], [2, 422]]);
      expect(await readVictim()).toEqual(victim);
    });

    it('should not match anyone by an operator in a read query, even with the extended query parser', async () => {
      const app = express();
      app.set('query parser', 'extended');
      app.use(t.hooks);
      for (const query of ['uid[$ne]=x', 'email[$gt]=', 'id[$ne]=x', 'uid[$regex]=.*']) {
        const res = await request(app).get(`/v3/analyze/profile?${query}`).set(auth);
        expect([404, 422], query).toContain(res.status);
        expect(res.body.profile).toBeUndefined();
      }
      expect((await request(app).get('/v3/analyze/company?uid[$ne]=x').set(auth)).status).toBe(422);
    });

    it('should answer 403 for an account_secret that is an operator object', async () => {
      await request(t.app).post('/v3/observe/hooks/profiles').send({ uid: 'x', account_secret: { $ne: null } }).expect(403);
      await request(t.app).post('/v3/observe/hooks/profiles').send({ uid: 'x', account_secret: [ACCOUNT.secret] }).expect(403);
    });
  });

  describe('depth and size bombs', () => {
    const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

    it('should store a property whose value is an array nested 100,000 deep as an empty list, with a warning', async () => {
      const res = await post(`${base}/profiles`, `{"uid":"bomb-1","bomb":${deepArray(100_000)}}`);
      expect(res.status).toBe(200);
      const profile = (await request(t.app).get('/v3/analyze/profile?uid=bomb-1').set(auth).expect(200)).body.profile;
      expect(profile.bomb).toEqual([]);
      const rows = (await request(t.app).get('/v3/edit/properties?kind=profile').set(auth).expect(200)).body.properties;
      const warning = rows.find((r: { prop: string }) => r.prop === 'bomb').warnings[0];
      expect(warning).toMatchObject({ reason: 'object_in_array' });
      expect(warning.example.length).toBeLessThanOrEqual(120);
    });

    it.each<[string, string, number]>([
      ['a whole body nested 100,000 deep', deepArray(100_000), 400],
      ['a batch whose items are nested 100,000 deep', `{"profiles":${deepArray(100_000)}}`, 202],
      ['an event property nested 100,000 deep', `{"name":"Deep","uid":"bomb-2","p":${deepArray(100_000)}}`, 200],
      ['an object property 101 levels deep', `{"uid":"bomb-3","deep":${deepObject(101)}}`, 200],
      ['a body that is an object 101 levels deep', `${deepObject(101).slice(0, -1)},"uid":"bomb-4"}`, 200],
      ['a company property 10,000 objects deep', `{"uid":"bomb-5","deep":${deepObject(10_000)}}`, 200],
    ])('should answer %s without overflowing the stack', async (label, body, status) => {
      const path = label.includes('batch') ? `${base}/profiles/batch` : label.includes('event') ? `${base}/events` : label.includes('company') ? `${base}/companies` : `${base}/profiles`;
      const res = await post(path, body);
      expect(res.status).toBe(status);
      expect((res.json as { code?: number }).code).not.toBe(500);
    });

    it('should keep only three levels of a 101-level object', async () => {
      const profile = (await request(t.app).get('/v3/analyze/profile?uid=bomb-3').set(auth).expect(200)).body.profile;
      expect(profile.deep).toEqual({ a: {} }); // level 1 deep, level 2 a, level 3 a: its object value would be level 4
    });

    it('should store a 900 KB string value cut to 768 bytes', async () => {
      const res = await request(t.app).post(`${base}/profiles`).send({ uid: 'huge-value', essay: 'ü'.repeat(450 * 1024) }).expect(200);
      expect(res.body.profile.id).toMatch(/^[0-9a-f]{24}$/);
      const profile = (await request(t.app).get('/v3/analyze/profile?uid=huge-value').set(auth).expect(200)).body.profile;
      expect(profile.essay).toBe('ü'.repeat(384));
    });

    it('should refuse a 900 KB uid rather than store it', async () => {
      const res = await request(t.app).post(`${base}/profiles`).send({ uid: 'u'.repeat(900 * 1024) }).expect(422);
      expect(res.body.code).toBe(422);
    });

    it('should store an array of 100,000 items cut to 1,000', async () => {
      await request(t.app).post(`${base}/profiles`).send({ uid: 'long-list', list: Array.from({ length: 100_000 }, (_, i) => i) }).expect(200);
      const profile = (await request(t.app).get('/v3/analyze/profile?uid=long-list').set(auth).expect(200)).body.profile;
      expect(profile.list).toHaveLength(1000);
    });

    it('should refuse an object with 2,000 keys (limits.propertiesPerItem), storing nothing', async () => {
      const body: Record<string, unknown> = { uid: 'many-keys' };
      for (let i = 0; i < 2_000; i++) body[`key${i}`] = i;
      const res = await request(t.app).post(`${base}/profiles`).send(body).expect(422);
      expect(res.body.messages[0]).toMatch(/at most 1000 keys/);
      await request(t.app).get('/v3/analyze/profile?uid=many-keys').set(auth).expect(404);
    });
  });

  describe('wrong types', () => {
    it.each<[string, string, unknown]>([
      ['uid true', 'profiles', { uid: true }],
      ['uid an array', 'profiles', { uid: ['victim'] }],
      ['uid an object', 'profiles', { uid: { value: 'victim' } }],
      ['uid a float', 'profiles', { uid: 1.5 }],
      ['uid a huge number', 'profiles', { uid: 1e300 }],
      ['email a number', 'profiles', { email: 42 }],
      ['email not an address', 'profiles', { email: 'nobody' }],
      ['id not an object id', 'profiles', { id: 'victim' }],
      ['company_uid an object', 'profiles', { uid: 'wt', company_uid: { uid: 'x' } }],
      ['company an array', 'profiles', { uid: 'wt', company: ['x'] }],
      ['disabled a string other than true/false', 'profiles', { uid: 'wt', disabled: 'yes' }],
      ['disabled an object', 'profiles', { uid: 'wt', disabled: { $ne: false } }],
      ['profiles not an array', 'profiles/batch', { profiles: { 0: { uid: 'x' } } }],
      ['on_model_missing a boolean', 'profiles/batch', { profiles: [], on_model_missing: true }],
      ['companies a number', 'companies/batch', { companies: 5 }],
      ['event name an array', 'events', { name: ['Signed Up'], uid: 'wt' }],
      ['event name 10,000 characters', 'events', { name: 'n'.repeat(10_000), uid: 'wt' }],
    ])('should answer 422 for %s', async (_label, path, body) => {
      const res = await request(t.app).post(`${base}/${path}`).send(body as object).expect(422);
      expect(res.body).toEqual({ code: 422, messages: expect.arrayContaining([expect.any(String)]) });
    });

    it.each<[string, string]>([
      ['null', 'null'],
      ['an array', '[{"uid":"x"}]'],
      ['a number', '42'],
      ['a string', '"uid"'],
      ['true', 'true'],
      ['empty', ''],
      ['whitespace', '   \n'],
    ])('should answer 400 for a body that is %s', async (_label, body) => {
      const res = await post(`${base}/profiles`, body);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ code: 400, messages: [expect.any(String)] });
    });
  });

  describe('encodings', () => {
    let gzipBomb: Buffer | undefined;
    /** 50 MiB of JSON (mostly spaces inside a string) gzipped to about 50 KB; built once. */
    const bomb = (): Buffer =>
      (gzipBomb ??= gzipSync(Buffer.concat([Buffer.from('{"uid":"bomb","x":"'), Buffer.alloc(50 * 1024 * 1024, 0x20), Buffer.from('"}')])));

    it('should accept a gzip-encoded body', async () => {
      const res = await post(`${base}/profiles`, gzipSync(Buffer.from('{"uid":"gzipped","plan":"gold"}')), { ...JSON_TYPE, 'content-encoding': 'gzip' });
      expect(res.status).toBe(200);
      expect((await request(t.app).get('/v3/analyze/profile?uid=gzipped').set(auth).expect(200)).body.profile.plan).toBe('gold');
    });

    it('should accept a deflate-encoded batch', async () => {
      const body = deflateSync(Buffer.from(JSON.stringify({ profiles: [{ uid: 'deflated' }] })));
      const res = await post(`${base}/profiles/batch`, body, { ...JSON_TYPE, 'content-encoding': 'deflate' });
      expect(res.status).toBe(202);
    });

    it.each<[string, string]>([
      ['a single request', 'profiles'],
      ['a batch', 'profiles/batch'],
    ])('should answer 413 for %s whose gzip body inflates past the limit', async (_label, path) => {
      expect(bomb().length).toBeLessThan(100 * 1024);
      const res = await post(`${base}/${path}`, bomb(), { ...JSON_TYPE, 'content-encoding': 'gzip' });
      expect(res.status).toBe(413);
      expect(res.json).toEqual({ code: 413, messages: [expect.any(String)] });
      await request(t.app).get('/v3/analyze/profile?uid=bomb').set(auth).expect(404);
    });

    it('should answer 400 for a body that claims gzip but is not', async () => {
      const res = await post(`${base}/profiles`, '{"uid":"not-gzip"}', { ...JSON_TYPE, 'content-encoding': 'gzip' });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ code: 400, messages: [expect.any(String)] });
    });

    it.each(['compress', 'x-custom', 'gzip, identity-ish'])('should answer 415 for the unknown Content-Encoding %s', async (encoding) => {
      const res = await post(`${base}/profiles`, '{"uid":"enc"}', { ...JSON_TYPE, 'content-encoding': encoding });
      expect(res.status).toBe(415);
      expect(res.json).toEqual({ code: 415, messages: [expect.any(String)] });
    });

    it('should answer 400 for invalid UTF-8 rather than store replacement characters', async () => {
      const first = await post(`${base}/profiles`, Buffer.from([...Buffer.from('{"uid":"'), 0xff, 0xfe, ...Buffer.from('","plan":"a"}')]));
      const second = await post(`${base}/profiles`, Buffer.from([...Buffer.from('{"uid":"'), 0xc3, 0x28, ...Buffer.from('","plan":"b"}')]));
      expect([first.status, second.status]).toEqual([400, 400]);
      expect(first.json).toEqual({ code: 400, messages: ['The request body is not valid UTF-8'] });
      expect(await t.db.db.collection('chameleon_profiles').countDocuments({ uid: { $regex: '\uFFFD' } })).toBe(0);
    });

    it('should accept valid multi-byte UTF-8 and a leading byte-order mark', async () => {
      const res = await post(`${base}/profiles`, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"uid":"bom-ü-😀","city":"Zürich"}')]));
      expect(res.status).toBe(200);
      const profile = (await request(t.app).get(`/v3/analyze/profile?uid=${encodeURIComponent('bom-ü-😀')}`).set(auth).expect(200)).body.profile;
      expect(profile.city).toBe('Zürich');
    });

    it.each(['utf-16', 'latin1', 'iso-8859-1'])('should answer 415 for a JSON body declared as charset=%s', async (charset) => {
      const res = await post(`${base}/profiles`, '{"uid":"charset"}', { 'content-type': `application/json; charset=${charset}` });
      expect(res.status).toBe(415);
    });

    it('should accept charset=utf-8 in any case', async () => {
      const res = await post(`${base}/profiles`, '{"uid":"charset-ok"}', { 'content-type': 'application/json; Charset="UTF-8"' });
      expect(res.status).toBe(200);
    });
  });

  describe('lying Content-Length', () => {
    it('should answer 400 or close, never 500, when the body is shorter than announced, and keep serving', async () => {
      const body = '{"uid":"short-body","plan":"x","pad":"' + 'p'.repeat(12);
      expect(body.length).toBe(50);
      const head = `POST ${base}/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
      const { statusCodes } = await rawExchange(port, Buffer.from(head + body));
      expect(statusCodes.every((s) => s === 400)).toBe(true);
      await request(t.app).get('/v3/analyze/profile?uid=short-body').set(auth).expect(404);
      await request(t.app).post(`${base}/profiles`).send({ uid: 'after-short', plan: 'ok' }).expect(200);
    });

    it('should read only the announced bytes when the body is longer, answer 400s, and keep serving', async () => {
      const body = '{"uid":"long-body","plan":"x"}';
      const head = `POST ${base}/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n`;
      const { statusCodes } = await rawExchange(port, Buffer.from(head + body));
      expect(statusCodes.length).toBeGreaterThan(0);
      expect(statusCodes.every((s) => s === 400)).toBe(true);
      await request(t.app).get('/v3/analyze/profile?uid=long-body').set(auth).expect(404);
      await request(t.app).post(`${base}/profiles`).send({ uid: 'after-long', plan: 'ok' }).expect(200);
    });

    it('should answer 400 for a Content-Length that is not a number and keep serving', async () => {
      const head = `POST ${base}/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ten\r\n\r\n{"uid":"nan-length"}`;
      const { statusCodes } = await rawExchange(port, Buffer.from(head));
      expect(statusCodes.every((s) => s === 400)).toBe(true);
      await request(t.app).post(`${base}/profiles`).send({ uid: 'after-nan', plan: 'ok' }).expect(200);
    });

    it('should survive a client that disconnects in the middle of a batch', async () => {
      const head = `POST ${base}/profiles/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{"profiles":[`;
      await rawExchange(port, Buffer.from(head + '{"uid":"cut"},'.repeat(1000)), 300);
      await request(t.app).post(`${base}/profiles`).send({ uid: 'after-cut', plan: 'ok' }).expect(200);
      await request(t.app).get('/v3/analyze/profile?uid=cut').set(auth).expect(404);
    });
  });
});
