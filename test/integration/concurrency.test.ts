// Integration tests for concurrent first writes: many requests for one new uid, email or company make exactly one record.
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { listen } from './support/raw-http.js';
import { waitForBatch } from '../helpers/batches.js';

const base = `/v3/observe/hooks/${ACCOUNT.secret}`;

describe('concurrent writes', () => {
  let t: TestApp;
  let url: string;
  const profiles = () => t.db.db.collection('chameleon_profiles');

  beforeAll(async () => {
    t = await createTestApp();
    // One listening server, so 100 requests share it instead of each starting its own.
    url = `http://127.0.0.1:${(await listen(t.app)).port}`;
  });

  it('should answer 100 concurrent upserts of one new uid with one id and store one profile', async () => {
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => request(url).post(`${base}/profiles`).send({ uid: 'racer', n: i })));
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(new Set(responses.map((r) => r.body.profile.id)).size).toBe(1);
    expect(await profiles().countDocuments({ account: ACCOUNT.id, uid: 'racer' })).toBe(1);
  });

  it('should answer 100 concurrent upserts of one new email with one id and store one profile', async () => {
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => request(url).post(`${base}/profiles`).send({ email: i % 2 ? 'Racer@Example.com' : 'racer@example.com', n: i })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(new Set(responses.map((r) => r.body.profile.id)).size).toBe(1);
    expect(await profiles().countDocuments({ account: ACCOUNT.id, email_key: `${ACCOUNT.id}|racer@example.com` })).toBe(1);
  });

  it('should answer 50 concurrent new profiles with both uid and email with one id', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => request(url).post(`${base}/profiles`).send({ uid: 'both-racer', email: 'both@example.com' })));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(responses.map((r) => r.body.profile.id)).size).toBe(1);
    expect(await profiles().countDocuments({ account: ACCOUNT.id, uid: 'both-racer' })).toBe(1);
  });

  it('should create one company for 50 concurrent profiles naming the same new company_uid', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => request(url).post(`${base}/profiles`).send({ uid: `staff-${i}`, company_uid: 'race-co' })));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(await t.db.db.collection('chameleon_companies').countDocuments({ account: ACCOUNT.id, uid: 'race-co' })).toBe(1);
    const companyIds = new Set((await profiles().find({ account: ACCOUNT.id, uid: { $regex: '^staff-' } }).toArray()).map((p) => String(p.company_id)));
    expect(companyIds.size).toBe(1);
  });

  it('should create one user for 50 concurrent events of a new uid', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => request(url).post(`${base}/events`).send({ name: 'Raced', uid: 'event-racer', n: i })));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(await profiles().countDocuments({ account: ACCOUNT.id, uid: 'event-racer' })).toBe(1);
    expect(await t.db.db.collection('chameleon_events').countDocuments({ account: ACCOUNT.id, name: 'raced' })).toBe(50);
  });

  it('should store one profile per uid when batches race single requests for the same new uids', async () => {
    const uids = Array.from({ length: 50 }, (_, i) => `mixed-${i}`);
    const batches = Array.from({ length: 4 }, () => request(url).post(`${base}/profiles/batch`).send({ profiles: uids.map((uid) => ({ uid, via: 'batch' })) }));
    const singles = uids.map((uid) => request(url).post(`${base}/profiles`).send({ uid, via: 'single' }));
    const responses = await Promise.all([...batches, ...singles]);
    expect(responses.slice(0, 4).map((r) => [r.status, r.body.errors])).toEqual(Array(4).fill([202, []]));
    expect(responses.slice(4).map((r) => r.status)).toEqual(Array(50).fill(200));
    // Applied in the background, concurrently with each other: each ends with no error.
    for (const r of responses.slice(0, 4)) expect((await waitForBatch(url, r.body.batch.id)).errors).toEqual([]);
    for (const uid of uids) expect(await profiles().countDocuments({ account: ACCOUNT.id, uid }), uid).toBe(1);
  });

  it('should store one company per uid when company batches race each other', async () => {
    const companies = Array.from({ length: 50 }, (_, i) => ({ uid: `co-race-${i}` }));
    const responses = await Promise.all(Array.from({ length: 4 }, () => request(url).post(`${base}/companies/batch`).send({ companies })));
    expect(responses.map((r) => [r.status, r.body.errors])).toEqual(Array(4).fill([202, []]));
    for (const r of responses) expect((await waitForBatch(url, r.body.batch.id)).errors).toEqual([]);
    expect(await t.db.db.collection('chameleon_companies').countDocuments({ account: ACCOUNT.id, uid: { $regex: '^co-race-' } })).toBe(50);
  });
});
