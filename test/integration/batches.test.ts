// Integration tests for profile batches: the 202 answer, order, per-item errors, on_model_missing, size limits.
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';
import { postBatch, waitForBatch } from '../helpers/batches.js';

const batchPath = `/v3/observe/hooks/${ACCOUNT.secret}/profiles/batch`;
const auth = { 'X-Account-Secret': ACCOUNT.secret };

describe('POST /v3/observe/hooks/:account_secret/profiles/batch', () => {
  let t: TestApp;
  const profiles = () => t.db.db.collection('chameleon_profiles');
  const profileBy = async (query: string) => (await request(t.app).get(`/v3/analyze/profile?${query}`).set(auth).expect(200)).body.profile;

  beforeAll(async () => {
    t = await createTestApp();
  });

  it('should answer 202 {batch:{id}, errors:[]} and store every profile', async () => {
    const res = (await postBatch(t.app, batchPath, { profiles: [{ uid: 'b-1', plan: 'gold' }, { email: 'b2@example.com', plan: 'silver' }, { uid: 'b-3', 'Seats Used': '3' }] })).res;
    expect(res.body).toMatchObject({ batch: { id: expect.stringMatching(/^[0-9a-f]{24}$/) }, errors: [] });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(await profileBy('uid=b-1')).toMatchObject({ plan: 'gold' });
    expect(await profileBy('email=B2@example.com')).toMatchObject({ plan: 'silver' });
    expect(await profileBy('uid=b-3')).toMatchObject({ seats_used: 3 });
  });

  it('should record the batch itself', async () => {
    const res = (await postBatch(t.app, batchPath, { profiles: [{ uid: 'rec-1' }, {}] })).res;
    const { ObjectId } = await import('mongodb');
    const doc = await t.db.db.collection('chameleon_batches').findOne({ _id: new ObjectId(res.body.batch.id) });
    expect(doc).toMatchObject({ account: ACCOUNT.id, kind: 'profile', items: 2, errors_count: 1, on_model_missing: 'create' });
  });

  it('should accept the secret in the X-Account-Secret header on the secret-less path', async () => {
    const res = await request(t.app).post('/v3/observe/hooks/profiles/batch').set(auth).send({ profiles: [{ uid: 'hdr-batch' }] }).expect(202);
    await waitForBatch(t.app, res.body.batch.id);
    expect(await profileBy('uid=hdr-batch')).toMatchObject({ uid: 'hdr-batch' });
  });

  it('should process items in order, so the last of two items with the same uid wins', async () => {
    const res = (await postBatch(t.app, batchPath, { profiles: [{ uid: 'twice', plan: 'first', seats: 1 }, { uid: 'twice', plan: 'second' }, { uid: 'twice', color: null }] })).res;
    expect(res.body.errors).toEqual([]);
    const profile = await profileBy('uid=twice');
    expect(profile).toMatchObject({ plan: 'second', seats: 1 });
    expect(await profiles().countDocuments({ account: ACCOUNT.id, uid: 'twice' })).toBe(1);
  });

  it('should report an item without identifier at index 4429 exactly as documented, and store all the others', async () => {
    const items: Array<Record<string, unknown>> = Array.from({ length: 4431 }, (_, i) => ({ uid: `n-${i}`, plan: 'gold' }));
    items[4429] = { plan: 'gold', email: null };
    const before = await profiles().countDocuments({ account: ACCOUNT.id });
    const res = (await postBatch(t.app, batchPath, { profiles: items })).res;
    expect(res.body.errors).toEqual([
      {
        code: 422,
        index: 4429,
        message: 'No identifier found for the 4430th item. Pass your User ID as the `uid` parameter or the Email address as the `email` parameter',
      },
    ]);
    expect(await profiles().countDocuments({ account: ACCOUNT.id })).toBe(before + 4430);
    expect(await profileBy('uid=n-4430')).toMatchObject({ plan: 'gold' });
  });

  it('should skip items that would create a record with on_model_missing "ignore", and still update existing ones', async () => {
    await postBatch(t.app, batchPath, { profiles: [{ uid: 'known', plan: 'old' }, { email: 'known@example.com', plan: 'old' }] });
    const before = await profiles().countDocuments({ account: ACCOUNT.id });
    const res = (await postBatch(t.app, batchPath, {
        on_model_missing: 'ignore',
        profiles: [
          { uid: 'known', plan: 'new' },
          { uid: 'unknown-1', plan: 'new' },
          { email: 'KNOWN@example.com', plan: 'new' },
          { email: 'unknown@example.com', plan: 'new' },
          { uid: 'known', company_uid: 'ignored-co' },
        ],
      })).res;
    expect(res.body.errors).toEqual([]);
    expect(await profiles().countDocuments({ account: ACCOUNT.id })).toBe(before);
    expect(await profileBy('uid=known')).toMatchObject({ plan: 'new', company_id: null });
    expect(await profileBy('email=known@example.com')).toMatchObject({ plan: 'new' });
    await request(t.app).get('/v3/analyze/profile?uid=unknown-1').set(auth).expect(404);
    await request(t.app).get('/v3/analyze/company?uid=ignored-co').set(auth).expect(404);
  });

  it('should update items identified by id, and report an id that names no profile of the account as a 404', async () => {
    const { id } = (await request(t.app).post(`/v3/observe/hooks/${ACCOUNT.secret}/profiles`).send({ uid: 'by-id', plan: 'old' }).expect(200)).body.profile;
    const { id: foreign } = (await request(t.app).post(`/v3/observe/hooks/${OTHER_ACCOUNT.secret}/profiles`).send({ uid: 'foreign', plan: 'theirs' }).expect(200)).body.profile;
    const res = (await postBatch(t.app, batchPath, { profiles: [{ id, plan: 'new' }, { id: '5f885a88e7daf3000e3eb4f6', plan: 'x' }, { id: foreign, plan: 'hijacked' }] })).res;
    expect(res.body.errors).toEqual([
      { code: 404, index: 1, message: 'No profile with id 5f885a88e7daf3000e3eb4f6 (the 2nd item)' },
      { code: 404, index: 2, message: `No profile with id ${foreign} (the 3rd item)` },
    ]);
    expect(await profileBy('uid=by-id')).toMatchObject({ id, plan: 'new' });
    const theirs = await request(t.app).get('/v3/analyze/profile?uid=foreign').set('X-Account-Secret', OTHER_ACCOUNT.secret).expect(200);
    expect(theirs.body.profile.plan).toBe('theirs');
  });

  it('should skip unknown ids silently with on_model_missing "ignore"', async () => {
    const res = (await postBatch(t.app, batchPath, { on_model_missing: 'ignore', profiles: [{ id: '5f885a88e7daf3000e3eb4f6', plan: 'x' }] })).res;
    expect(res.body.errors).toEqual([]);
  });

  it('should link batch profiles to companies by company_uid, creating each company once', async () => {
    const res = (await postBatch(t.app, batchPath, { profiles: [{ uid: 'emp-1', company_uid: 'batch-co' }, { uid: 'emp-2', company_uid: 'batch-co' }, { uid: 'emp-3', company: { uid: 'nested-co' } }] })).res;
    expect(res.body.errors).toEqual([]);
    const company = (await request(t.app).get('/v3/analyze/company?uid=batch-co').set(auth).expect(200)).body.company;
    expect((await profileBy('uid=emp-1')).company_id).toBe(company.id);
    expect((await profileBy('uid=emp-2')).company_id).toBe(company.id);
    expect(await t.db.db.collection('chameleon_companies').countDocuments({ account: ACCOUNT.id, uid: 'batch-co' })).toBe(1);
    const nested = (await request(t.app).get('/v3/analyze/company?uid=nested-co').set(auth).expect(200)).body.company;
    expect((await profileBy('uid=emp-3')).company_id).toBe(nested.id);
  });

  it('should store the properties of a nested company object, in item order, as a single request would', async () => {
    const res = (await postBatch(t.app, batchPath, {
        profiles: [
          { uid: 'nest-1', company: { uid: 'nest-co', Name: 'Acme', tier: 'silver' } },
          { uid: 'nest-2', company_uid: 'nest-co' },
          { uid: 'nest-3', company: { uid: 'nest-co', tier: 'gold', $set: 1 } },
        ],
      })).res;
    expect(res.body.errors).toEqual([]);
    const company = (await request(t.app).get('/v3/analyze/company?uid=nest-co').set(auth).expect(200)).body.company;
    expect(company).toMatchObject({ name: 'Acme', tier: 'gold' });
    expect((await profileBy('uid=nest-3')).company_id).toBe(company.id);
    const rows = (await request(t.app).get('/v3/edit/properties?kind=company').set(auth).expect(200)).body.properties;
    expect(rows.map((r: { prop: string }) => r.prop)).toEqual(expect.arrayContaining(['name', 'tier', 'set']));
  });

  it('should give a uid to a profile known only by email, as a single request would', async () => {
    const { id } = (await request(t.app).post(`/v3/observe/hooks/${ACCOUNT.secret}/profiles`).send({ email: 'adopt@example.com' }).expect(200)).body.profile;
    const res = (await postBatch(t.app, batchPath, { profiles: [{ uid: 'adopted', email: 'adopt@example.com', plan: 'gold' }] })).res;
    expect(res.body.errors).toEqual([]);
    expect(await profileBy('uid=adopted')).toMatchObject({ id, email: 'adopt@example.com', plan: 'gold' });
  });

  it('should report an email owned by another user as that item’s error and go on', async () => {
    await postBatch(t.app, batchPath, { profiles: [{ uid: 'owner-b', email: 'owned@example.com' }] });
    const { res, batch } = await postBatch(t.app, batchPath, { profiles: [{ uid: 'thief-b', email: 'owned@example.com' }, { uid: 'after-thief', plan: 'ok' }] });
    // Found while applying, after the answer: reported in the batch's state.
    expect(res.body.errors).toEqual([]);
    expect(batch).toMatchObject({ state: 'done', items: 2, applied_items: 1, errors_count: 1 });
    expect(batch.errors).toEqual([{ code: 422, index: 0, message: expect.stringContaining('already belongs to another profile') }]);
    expect(await profileBy('uid=after-thief')).toMatchObject({ plan: 'ok' });
    expect(await profileBy('uid=owner-b')).toMatchObject({ email: 'owned@example.com' });
  });

  it('should list item errors in item order, whichever check found them (the answer those found on receipt, the batch state all)', async () => {
    await postBatch(t.app, batchPath, { profiles: [{ uid: 'owner-c', email: 'mine@example.com' }] });
    const { res, batch } = await postBatch(t.app, batchPath, { profiles: [{ uid: 'ok-c1' }, { uid: 'thief-c', email: 'mine@example.com' }, 'not an object', { plan: 'no id' }] });
    expect(res.body.errors.map((e: { index: number }) => e.index)).toEqual([2, 3]);
    expect(batch.errors.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(batch.errors_count).toBe(3);
  });

  it.each<[string, unknown, string]>([
    ['a string', 'just text', 'The 1st item is not an object'],
    ['null', null, 'The 1st item is not an object'],
    ['a number', 42, 'The 1st item is not an object'],
    ['an array', [{ uid: 'x' }], 'The 1st item is not an object'],
    ['an operator object as uid', { uid: { $ne: null } }, 'The 1st item is invalid'],
    ['a boolean uid', { uid: true }, 'The 1st item is invalid'],
    ['an email that is a number', { email: 5 }, 'The 1st item is invalid'],
  ])('should report an item that is %s and store the valid items around it', async (label, bad, message) => {
    const uid = `around-${label.replace(/\W+/g, '-')}`;
    const res = (await postBatch(t.app, batchPath, { profiles: [bad, { uid, plan: 'stored' }] })).res;
    expect(res.body.errors).toEqual([{ code: 422, index: 0, message: expect.stringContaining(message) }]);
    expect(await profileBy(`uid=${uid}`)).toMatchObject({ plan: 'stored' });
  });

  it('should list at most 1,000 item errors but count them all', async () => {
    const items = Array.from({ length: 1500 }, () => ({ plan: 'no identifier' }));
    const res = (await postBatch(t.app, batchPath, { profiles: items })).res;
    expect(res.body.errors).toHaveLength(1000);
    expect(res.body.errors_count).toBe(1500);
    expect(res.body.errors[999].index).toBe(999);
  });

  it('should accept an empty batch', async () => {
    const res = (await postBatch(t.app, batchPath, { profiles: [] })).res;
    expect(res.body.errors).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['missing', { on_model_missing: 'create' }],
    ['an object', { profiles: { uid: 'x' } }],
    ['a string', { profiles: 'x' }],
    ['null', { profiles: null }],
  ])('should answer 422 when `profiles` is %s', async (_label, body) => {
    const res = await request(t.app).post(batchPath).send(body as object).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.any(String)] });
  });

  it('should answer 422 for an unknown on_model_missing value', async () => {
    await request(t.app).post(batchPath).send({ profiles: [], on_model_missing: 'merge' }).expect(422);
  });
});

describe('batch size limit (limits.batchBytes)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ limits: { batchBytes: 64 * 1024 } });
  });

  it('should answer 413 with the documented message for a batch over the limit, storing nothing', async () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({ uid: `too-big-${i}`, plan: 'gold' }));
    const res = await request(t.app).post(batchPath).send({ profiles: items }).expect(413);
    expect(res.body).toEqual({ code: 413, messages: ['Each batch must be less than 64kb, try splitting the batch in half'] });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(await t.db.db.collection('chameleon_profiles').countDocuments()).toBe(0);
  });

  it('should answer 413 for a companies batch over the limit too', async () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({ uid: `co-too-big-${i}` }));
    const res = await request(t.app).post(`/v3/observe/hooks/${ACCOUNT.secret}/companies/batch`).send({ companies: items }).expect(413);
    expect(res.body.code).toBe(413);
  });

  it('should accept a batch of exactly the limit', async () => {
    const json = JSON.stringify({ profiles: [{ uid: 'at-limit' }] });
    const body = json + ' '.repeat(64 * 1024 - Buffer.byteLength(json));
    expect(Buffer.byteLength(body)).toBe(64 * 1024);
    const res = await request(t.app).post(batchPath).set('Content-Type', 'application/json').send(body).expect(202);
    await waitForBatch(t.app, res.body.batch.id);
    await request(t.app).post(batchPath).set('Content-Type', 'application/json').send(`${body} `).expect(413);
  });
});
