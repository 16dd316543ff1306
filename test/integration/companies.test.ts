// Integration tests for companies, single and batch: identity by id/uid, the no-identifier message, read-back.
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';
import { postBatch } from '../helpers/batches.js';

const base = `/v3/observe/hooks/${ACCOUNT.secret}`;
const auth = { 'X-Account-Secret': ACCOUNT.secret };

describe('companies', () => {
  let t: TestApp;
  const readCompany = async (query: string) => (await request(t.app).get(`/v3/analyze/company?${query}`).set(auth).expect(200)).body.company;

  beforeAll(async () => {
    t = await createTestApp();
  });

  describe('POST /v3/observe/hooks/:account_secret/companies', () => {
    it('should create a company by uid, answer 200 {company:{id}} and read it back by id and by uid', async () => {
      const res = await request(t.app).post(`${base}/companies`).send({ uid: 'co-1', Name: 'Acme Inc', 'Plan Tier': 'enterprise', seats: '40' }).expect(200);
      expect(res.body).toEqual({ company: { id: expect.stringMatching(/^[0-9a-f]{24}$/) } });
      const byId = (await request(t.app).get(`/v3/analyze/companies/${res.body.company.id}`).set(auth).expect(200)).body.company;
      expect(byId).toMatchObject({ id: res.body.company.id, uid: 'co-1', name: 'Acme Inc', plan_tier: 'enterprise', seats: 40 });
      expect(byId.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(await readCompany('uid=co-1')).toEqual(byId);
    });

    it('should update the same company when its uid comes back as a number or a string', async () => {
      const a = await request(t.app).post(`${base}/companies`).send({ uid: 4242, plan: 'free' }).expect(200);
      const b = await request(t.app).post(`${base}/companies`).send({ uid: '4242', plan: 'pro', region: 'eu' }).expect(200);
      expect(b.body.company.id).toBe(a.body.company.id);
      expect(await readCompany('uid=4242')).toMatchObject({ uid: '4242', plan: 'pro', region: 'eu' });
    });

    it('should update a company by its stored id without changing its uid', async () => {
      const { id } = (await request(t.app).post(`${base}/companies`).send({ uid: 'co-by-id', plan: 'free' }).expect(200)).body.company;
      const res = await request(t.app).post(`${base}/companies`).send({ id, plan: 'gold' }).expect(200);
      expect(res.body.company.id).toBe(id);
      expect(await readCompany(`id=${id}`)).toMatchObject({ id, uid: 'co-by-id', plan: 'gold' });
    });

    it('should answer 404 for a company id that does not exist, and create nothing', async () => {
      const before = await t.db.db.collection('chameleon_companies').countDocuments();
      const res = await request(t.app).post(`${base}/companies`).send({ id: '5f885a88e7daf3000e3eb4f6', plan: 'x' }).expect(404);
      expect(res.body).toEqual({ code: 404, messages: [expect.stringContaining('5f885a88e7daf3000e3eb4f6')] });
      expect(await t.db.db.collection('chameleon_companies').countDocuments()).toBe(before);
    });

    it.each<[string, Record<string, unknown>]>([
      ['no identifier at all', { name: 'Nameless' }],
      ['only an email (not a company identifier)', { email: 'ceo@example.com' }],
      ['an empty uid', { uid: '   ', name: 'Blank' }],
    ])('should answer 422 with the documented message for %s', async (_label, body) => {
      const res = await request(t.app).post(`${base}/companies`).send(body).expect(422);
      expect(res.body).toEqual({ code: 422, messages: ['No identifier found for the company. Pass your Company ID as the `uid` parameter'] });
    });

    it('should keep companies of different accounts apart', async () => {
      await request(t.app).post(`${base}/companies`).send({ uid: 'shared-co', plan: 'acme' }).expect(200);
      await request(t.app).post(`/v3/observe/hooks/${OTHER_ACCOUNT.secret}/companies`).send({ uid: 'shared-co', plan: 'globex' }).expect(200);
      expect(await readCompany('uid=shared-co')).toMatchObject({ plan: 'acme' });
      const other = await request(t.app).get('/v3/analyze/company?uid=shared-co').set('X-Account-Secret', OTHER_ACCOUNT.secret).expect(200);
      expect(other.body.company.plan).toBe('globex');
      const acmeId = (await readCompany('uid=shared-co')).id;
      await request(t.app).get(`/v3/analyze/companies/${acmeId}`).set('X-Account-Secret', OTHER_ACCOUNT.secret).expect(404);
    });

    it('should answer 422 when the read-back query names no identifier', async () => {
      const res = await request(t.app).get('/v3/analyze/company').set(auth).expect(422);
      expect(res.body.code).toBe(422);
    });
  });

  describe('POST /v3/observe/hooks/:account_secret/companies/batch', () => {
    it('should answer 202 {batch:{id}, errors:[]} and store every company', async () => {
      const companies = Array.from({ length: 25 }, (_, i) => ({ uid: `batch-co-${i}`, Industry: 'retail', rank: String(i) }));
      const res = (await postBatch(t.app, `${base}/companies/batch`, { companies })).res;
      expect(res.body).toMatchObject({ batch: { id: expect.stringMatching(/^[0-9a-f]{24}$/) }, errors: [] });
      expect(await readCompany('uid=batch-co-24')).toMatchObject({ industry: 'retail', rank: 24 });
      expect(await t.db.db.collection('chameleon_companies').countDocuments({ account: ACCOUNT.id, uid: { $in: companies.map((c) => c.uid) } })).toBe(25);
    });

    it('should identify batch items by id as well as by uid, and apply them in order (last wins)', async () => {
      const { id } = (await request(t.app).post(`${base}/companies`).send({ uid: 'order-co', plan: 'a' }).expect(200)).body.company;
      const res = (await postBatch(t.app, `${base}/companies/batch`, { companies: [{ uid: 'order-co', plan: 'b', seats: 1 }, { id, plan: 'c' }, { uid: 'order-co', plan: 'd' }] })).res;
      expect(res.body.errors).toEqual([]);
      expect(await readCompany('uid=order-co')).toMatchObject({ id, plan: 'd', seats: 1 });
    });

    it('should report a batch item whose id names no company as a 404 and go on', async () => {
      const res = (await postBatch(t.app, `${base}/companies/batch`, { companies: [{ id: '5f885a88e7daf3000e3eb4f6', plan: 'x' }, { uid: 'after-missing-id', plan: 'y' }] })).res;
      expect(res.body.errors).toEqual([{ code: 404, index: 0, message: 'No company with id 5f885a88e7daf3000e3eb4f6 (the 1st item)' }]);
      expect(await readCompany('uid=after-missing-id')).toMatchObject({ plan: 'y' });
    });

    it('should report the 4430th item without identifier with the company message, and store the others', async () => {
      const companies: Array<Record<string, unknown>> = Array.from({ length: 4431 }, (_, i) => ({ uid: `big-co-${i}`, plan: 'gold' }));
      companies[4429] = { plan: 'gold' };
      const res = (await postBatch(t.app, `${base}/companies/batch`, { companies })).res;
      expect(res.body.errors).toEqual([
        { code: 422, index: 4429, message: 'No identifier found for the 4430th item. Pass your Company ID as the `uid` parameter' },
      ]);
      const stored = await t.db.db.collection('chameleon_companies').countDocuments({ account: ACCOUNT.id, uid: { $regex: '^big-co-' } });
      expect(stored).toBe(4430);
    });

    it('should only update existing companies with on_model_missing "ignore"', async () => {
      await request(t.app).post(`${base}/companies`).send({ uid: 'ignore-existing', plan: 'old' }).expect(200);
      const res = (await postBatch(t.app, `${base}/companies/batch`, { on_model_missing: 'ignore', companies: [{ uid: 'ignore-existing', plan: 'new' }, { uid: 'ignore-missing', plan: 'new' }] })).res;
      expect(res.body.errors).toEqual([]);
      expect(await readCompany('uid=ignore-existing')).toMatchObject({ plan: 'new' });
      await request(t.app).get('/v3/analyze/company?uid=ignore-missing').set(auth).expect(404);
    });

    it.each<[string, unknown]>([
      ['missing', { on_model_missing: 'create' }],
      ['not an array', { companies: { uid: 'x' } }],
      ['a string', { companies: 'x' }],
    ])('should answer 422 when `companies` is %s', async (_label, body) => {
      const res = await request(t.app).post(`${base}/companies/batch`).send(body as object).expect(422);
      expect(res.body).toEqual({ code: 422, messages: [expect.any(String)] });
    });

    it('should answer 422 for an unknown on_model_missing value', async () => {
      await request(t.app).post(`${base}/companies/batch`).send({ companies: [], on_model_missing: 'upsert' }).expect(422);
    });
  });
});
