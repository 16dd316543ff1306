import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';

const path = `/v3/observe/hooks/${ACCOUNT.secret}/profiles`;

describe('POST /v3/observe/hooks/:account_secret/profiles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it('should create a profile by uid and answer its id', async () => {
    const res = await request(t.app).post(path).send({ uid: 'u-1', plan: 'gold', userRole: 'admin' }).expect(200);
    expect(res.body.profile.id).toMatch(/^[0-9a-f]{24}$/);
    const read = await request(t.app).get(`/v3/analyze/profiles/${res.body.profile.id}`).set('X-Account-Secret', ACCOUNT.secret).expect(200);
    expect(read.body.profile).toMatchObject({ id: res.body.profile.id, uid: 'u-1', plan: 'gold', user_role: 'admin' });
    expect(read.body.profile.created_at).toMatch(/Z$/);
  });

  it('should update the same profile when the uid is sent again, as a number or a string', async () => {
    const a = await request(t.app).post(path).send({ uid: 18821, plan: 'free' }).expect(200);
    const b = await request(t.app).post(path).send({ uid: '18821', plan: 'pro', seats: '12' }).expect(200);
    expect(b.body.profile.id).toBe(a.body.profile.id);
    const read = await request(t.app).get('/v3/analyze/profile?uid=18821').set('X-Account-Secret', ACCOUNT.secret).expect(200);
    expect(read.body.profile).toMatchObject({ uid: '18821', plan: 'pro', seats: 12 });
  });

  it('should match emails case-insensitively', async () => {
    const a = await request(t.app).post(path).send({ email: 'Jane@Example.com', name: 'Jane' }).expect(200);
    const b = await request(t.app).post(path).send({ email: 'jane@example.COM', plan: 'gold' }).expect(200);
    expect(b.body.profile.id).toBe(a.body.profile.id);
    const read = await request(t.app).get('/v3/analyze/profile?email=JANE@example.com').set('X-Account-Secret', ACCOUNT.secret).expect(200);
    expect(read.body.profile).toMatchObject({ name: 'Jane', plan: 'gold' });
  });

  it('should give a uid to a profile first known by email only', async () => {
    const a = await request(t.app).post(path).send({ email: 'solo@example.com' }).expect(200);
    const b = await request(t.app).post(path).send({ uid: 'solo-uid', email: 'solo@example.com' }).expect(200);
    expect(b.body.profile.id).toBe(a.body.profile.id);
  });

  it('should answer 422 when the email already belongs to another profile with a uid', async () => {
    await request(t.app).post(path).send({ uid: 'owner', email: 'taken@example.com' }).expect(200);
    const res = await request(t.app).post(path).send({ uid: 'thief', email: 'taken@example.com' }).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.stringContaining('already belongs to another profile')] });
  });

  it('should accept the secret in the X-Account-Secret header and as a parameter', async () => {
    await request(t.app).post('/v3/observe/hooks/profiles').set('X-Account-Secret', ACCOUNT.secret).send({ uid: 'h1' }).expect(200);
    await request(t.app).post(`/v3/observe/hooks/profiles?account_secret=${ACCOUNT.secret}`).send({ uid: 'h2' }).expect(200);
    await request(t.app).post('/v3/observe/hooks/profiles').send({ uid: 'h3', account_secret: ACCOUNT.secret }).expect(200);
    const read = await request(t.app).get('/v3/analyze/profile?uid=h3').set('X-Account-Secret', ACCOUNT.secret).expect(200);
    expect(read.body.profile).not.toHaveProperty('account_secret');
  });

  it('should answer 403 for a missing or unknown secret', async () => {
    const missing = await request(t.app).post('/v3/observe/hooks/profiles').send({ uid: 'x' }).expect(403);
    expect(missing.body.code).toBe(403);
    await request(t.app).post('/v3/observe/hooks/nope-not-a-secret/profiles').send({ uid: 'x' }).expect(403);
  });

  it('should keep accounts apart', async () => {
    await request(t.app).post(path).send({ uid: 'shared-uid', plan: 'acme-plan' }).expect(200);
    await request(t.app).post(`/v3/observe/hooks/${OTHER_ACCOUNT.secret}/profiles`).send({ uid: 'shared-uid', plan: 'globex-plan' }).expect(200);
    const read = await request(t.app).get('/v3/analyze/profile?uid=shared-uid').set('X-Account-Secret', OTHER_ACCOUNT.secret).expect(200);
    expect(read.body.profile.plan).toBe('globex-plan');
  });

  it('should answer 422 with the documented message when there is no identifier', async () => {
    const res = await request(t.app).post(path).send({ plan: 'gold' }).expect(422);
    expect(res.body.messages[0]).toContain('Pass your User ID as the `uid` parameter or the Email address as the `email` parameter');
  });

  it('should link the profile to a company named by company_uid, creating it', async () => {
    const res = await request(t.app).post(path).send({ uid: 'with-co', company_uid: 'co-77' }).expect(200);
    const profile = (await request(t.app).get(`/v3/analyze/profiles/${res.body.profile.id}`).set('X-Account-Secret', ACCOUNT.secret)).body.profile;
    const company = (await request(t.app).get('/v3/analyze/company?uid=co-77').set('X-Account-Secret', ACCOUNT.secret).expect(200)).body.company;
    expect(profile.company_id).toBe(company.id);
  });

  it('should store disabled as an ordinary boolean and unset a property sent as null', async () => {
    await request(t.app).post(path).send({ uid: 'dis', disabled: true, plan: 'x' }).expect(200);
    await request(t.app).post(path).send({ uid: 'dis', plan: null }).expect(200);
    const p = (await request(t.app).get('/v3/analyze/profile?uid=dis').set('X-Account-Secret', ACCOUNT.secret)).body.profile;
    expect(p.disabled).toBe(true);
    expect(p).not.toHaveProperty('plan');
  });

  it('should answer 404 for a profile id that does not exist', async () => {
    await request(t.app).post(path).send({ id: '5f885a88e7daf3000e3eb4f6', plan: 'x' }).expect(404);
    await request(t.app).get('/v3/analyze/profiles/5f885a88e7daf3000e3eb4f6').set('X-Account-Secret', ACCOUNT.secret).expect(404);
  });
});
