// Integration tests at the real 16 MiB batch limit: 265,000 minimal profiles are stored in full; one byte more is refused.
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { waitForBatch } from '../helpers/batches.js';

const batchPath = `/v3/observe/hooks/${ACCOUNT.secret}/profiles/batch`;
const MIB = 1024 * 1024;

describe('a batch at the default 16 MiB limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it('should answer 413 with the documented message for a body of 16 MiB + 1 byte', async () => {
    const json = '{"profiles":[{"uid":"over-the-limit"}]}';
    const body = json + ' '.repeat(16 * MIB + 1 - json.length);
    const res = await request(t.app).post(batchPath).set('Content-Type', 'application/json').send(body).expect(413);
    expect(res.body).toEqual({ code: 413, messages: ['Each batch must be less than 16mb, try splitting the batch in half'] });
    expect(await t.db.db.collection('chameleon_profiles').countDocuments()).toBe(0);
    expect(await t.db.db.collection('chameleon_batches').countDocuments()).toBe(0);
    expect(await t.db.db.collection('chameleon_batch_chunks').countDocuments()).toBe(0);
  });

  it('should accept 265,000 minimal profiles (padded to exactly 16 MiB) and store every one', { timeout: 600_000 }, async () => {
    const count = 265_000;
    const parts: string[] = new Array<string>(count);
    for (let i = 0; i < count; i++) parts[i] = `{"uid":"${randomUUID()}","plan":"gold"}`;
    const json = `{"profiles":[${parts.join(',')}]}`;
    expect(json.length).toBeLessThanOrEqual(16 * MIB);
    const body = json + ' '.repeat(16 * MIB - json.length);

    const started = Date.now();
    const res = await request(t.app).post(batchPath).set('Content-Type', 'application/json').send(body).expect(202);
    const answered = Date.now() - started;
    expect(res.body).toMatchObject({ batch: { id: expect.stringMatching(/^[0-9a-f]{24}$/) }, errors: [] });
    const batch = await waitForBatch(t.app, res.body.batch.id, ACCOUNT.secret, 600_000);
    const applied = Date.now() - started;
    console.info(`265,000-profile batch (${(json.length / MIB).toFixed(2)} MiB of JSON): answered in ${(answered / 1000).toFixed(1)} s, applied in ${(applied / 1000).toFixed(1)} s`);

    expect(batch).toMatchObject({ state: 'done', items: count, applied_items: count, errors_count: 0, errors: [] });
    expect(batch.applied_chunks).toBe(batch.chunks);
    // Applied chunks are removed (just after the batch is marked done); nothing is left to apply.
    const deadline = Date.now() + 60_000;
    const leftovers = async () => (await t.db.db.collection('chameleon_batch_chunks').countDocuments()) + (await t.db.db.collection('chameleon_batch_queue').countDocuments());
    while ((await leftovers()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await leftovers()).toBe(0);
    expect(await t.db.db.collection('chameleon_profiles').countDocuments({ account: ACCOUNT.id })).toBe(count);
    const last = JSON.parse(parts[count - 1]!) as { uid: string };
    const read = await request(t.app).get(`/v3/analyze/profile?uid=${last.uid}`).set('X-Account-Secret', ACCOUNT.secret).expect(200);
    expect(read.body.profile).toMatchObject({ uid: last.uid, plan: 'gold' });
  });
});
