// Integration tests for background batches: GET /v3/observe/batches/:id, the in-flight byte budget (503 before the body is read), and hostile cases.
import { describe, it, expect, beforeAll } from 'vitest';
import net from 'node:net';
import request from 'supertest';
import { ObjectId } from 'mongodb';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';
import { postBatch, waitForBatch } from '../helpers/batches.js';
import { listen, rawExchange } from './support/raw-http.js';

const batchPath = `/v3/observe/hooks/${ACCOUNT.secret}/profiles/batch`;

describe('GET /v3/observe/batches/:id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ batches: { pollIntervalMs: 50 } });
  });

  it('should report a batch applied, with its progress and every error in item order', async () => {
    const { res, batch } = await postBatch(t.app, batchPath, { profiles: [{ uid: 's-1' }, { plan: 'no id' }, { uid: 's-3', plan: 'gold' }] });
    expect(batch).toEqual({
      id: res.body.batch.id,
      kind: 'profile',
      state: 'done',
      on_model_missing: 'create',
      items: 3,
      applied_items: 2,
      chunks: 1,
      applied_chunks: 1,
      errors_count: 1,
      errors: [{ code: 422, index: 1, message: expect.stringContaining('No identifier found for the 2nd item') }],
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      started_at: expect.stringMatching(/Z$/),
      completed_at: expect.stringMatching(/Z$/),
    });
  });

  it('should accept the secret in the path, a header or a parameter, and answer 403 without one', async () => {
    const { res } = await postBatch(t.app, batchPath, { profiles: [{ uid: 'auth-1' }] });
    const id = res.body.batch.id as string;
    await request(t.app).get(`/v3/observe/hooks/${ACCOUNT.secret}/batches/${id}`).expect(200);
    await request(t.app).get(`/v3/observe/batches/${id}?account_secret=${ACCOUNT.secret}`).expect(200);
    const denied = await request(t.app).get(`/v3/observe/batches/${id}`).expect(403);
    expect(denied.body).toEqual({ code: 403, messages: [expect.any(String)] });
  });

  it.each([
    ['an unknown id', () => new ObjectId().toHexString()],
    ['a malformed id', () => 'not-an-id'],
    ['an operator-looking id', () => '{"$ne":null}'],
  ])('should answer 404 for %s', async (_label, id) => {
    const res = await request(t.app).get(`/v3/observe/batches/${encodeURIComponent(id())}`).set('X-Account-Secret', ACCOUNT.secret).expect(404);
    expect(res.body).toEqual({ code: 404, messages: [expect.stringContaining('No batch with id')] });
  });

  it("should answer 404 for another account's batch", async () => {
    const { res } = await postBatch(t.app, batchPath, { profiles: [{ uid: 'mine' }] });
    await request(t.app).get(`/v3/observe/batches/${res.body.batch.id}`).set('X-Account-Secret', OTHER_ACCOUNT.secret).expect(404);
  });

  it('should report a half-valid batch: every valid item stored, every bad one listed', async () => {
    const items = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? { uid: `half-${i}` } : { plan: 'no id' }));
    const { res, batch } = await postBatch(t.app, batchPath, { profiles: items });
    expect(res.body.errors_count).toBe(1000);
    expect(batch).toMatchObject({ state: 'done', items: 2000, applied_items: 1000, errors_count: 1000 });
    expect(await t.db.db.collection('chameleon_profiles').countDocuments({ uid: { $regex: '^half-' } })).toBe(1000);
  });

  it('should store an item nested too deeply to serialise as an item error, and the others', async () => {
    let deep = '1';
    for (let i = 0; i < 100_000; i++) deep = `[${deep}]`;
    const body = `{"profiles":[{"uid":"deep-1","p":${deep}},{"uid":"deep-2","plan":"ok"}]}`;
    const res = await request(t.app).post(batchPath).set('Content-Type', 'application/json').send(body).expect(202);
    const batch = await waitForBatch(t.app, res.body.batch.id);
    expect(batch.errors.map((e) => [e.index, e.code])).toEqual([[0, 422]]);
    expect(batch.applied_items).toBe(1);
  });

  it('should resume a batch left in the database, reporting the items of a missing or malformed chunk and applying the rest', async () => {
    const id = new ObjectId();
    const now = new Date();
    const chunk = (n: number, items: string) => ({ _id: `${id.toHexString()}:${n}`, batch_id: id, n, start: n * 2, count: 2, items, created_at: now });
    // Chunk 1 is altered (not JSON), chunk 2 lost, chunk 3 has the wrong count: as a broken database or a hostile hand might leave them.
    await t.db.db.collection('chameleon_batch_chunks').insertMany([
      chunk(0, '[{"uid":"left-0"},{"uid":"left-1"}]'),
      chunk(1, '[{"uid":"left-2"},'),
      chunk(3, '[{"uid":"left-6"}]'),
      chunk(4, '[{"uid":"left-8"},null]'),
    ] as never[]);
    await t.db.db.collection('chameleon_batch_queue').insertOne({ _id: id, account: ACCOUNT.id, chunks: 5, created_at: now });
    await t.db.db.collection('chameleon_batches').insertOne({
      _id: id, account: ACCOUNT.id, kind: 'profile', state: 'queued', on_model_missing: 'create', items: 10, chunks: 5,
      applied_chunks: 0, applied_items: 0, errors: [{ code: 422, index: 9, message: 'No identifier found for the 10th item' }], errors_count: 1, created_at: now,
    });
    const batch = await waitForBatch(t.app, id.toHexString());
    expect(batch).toMatchObject({ state: 'done', applied_chunks: 5, applied_items: 3 });
    const codes = batch.errors.map((e) => [e.index, e.code]);
    expect(codes).toEqual([[-1, 500], [2, 500], [3, 500], [6, 500], [7, 500], [9, 422]]);
    expect(batch.errors_count).toBe(6);
    for (const uid of ['left-0', 'left-1', 'left-8']) {
      await request(t.app).get(`/v3/analyze/profile?uid=${uid}`).set('X-Account-Secret', ACCOUNT.secret).expect(200);
    }
    await request(t.app).get('/v3/analyze/profile?uid=left-6').set('X-Account-Secret', ACCOUNT.secret).expect(404);
    // Removed just after the batch is marked done.
    const deadline = Date.now() + 30_000;
    while ((await t.db.db.collection('chameleon_batch_chunks').countDocuments({ batch_id: id })) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await t.db.db.collection('chameleon_batch_chunks').countDocuments({ batch_id: id })).toBe(0);
  });

  it('should apply "$now" and relative times as of when the batch was received, not when a later process applies it', async () => {
    const id = new ObjectId();
    const receivedAt = new Date(Date.now() - 3_600_000); // received an hour ago; its process died before applying it
    await t.db.db.collection('chameleon_batch_chunks').insertOne({ _id: `${id.toHexString()}:0`, batch_id: id, n: 0, start: 0, count: 1, items: '[{"uid":"late-1","seen":"$now","due":"+1d"}]', created_at: receivedAt } as never);
    await t.db.db.collection('chameleon_batch_queue').insertOne({ _id: id, account: ACCOUNT.id, chunks: 1, created_at: receivedAt });
    await t.db.db.collection('chameleon_batches').insertOne({
      _id: id, account: ACCOUNT.id, kind: 'profile', state: 'queued', on_model_missing: 'create', items: 1, chunks: 1,
      applied_chunks: 0, applied_items: 0, errors: [], errors_count: 0, created_at: receivedAt,
    });
    expect(await waitForBatch(t.app, id.toHexString())).toMatchObject({ state: 'done', applied_items: 1 });
    const profile = (await request(t.app).get('/v3/analyze/profile?uid=late-1').set('X-Account-Secret', ACCOUNT.secret).expect(200)).body.profile;
    expect(Date.parse(profile.seen as string)).toBe(receivedAt.getTime());
    expect(Date.parse(profile.due as string)).toBe(receivedAt.getTime() + 86_400_000);
  });
});

describe('the in-flight byte budget (batches.inFlightBytes)', () => {
  let t: TestApp;
  let port: number;
  const LIMIT = 64 * 1024;
  beforeAll(async () => {
    t = await createTestApp({ limits: { batchBytes: LIMIT }, batches: { inFlightBytes: LIMIT } });
    port = (await listen(t.app)).port;
  });

  /** Opens a batch request whose body never ends: it holds its reservation until the socket closes. */
  async function holdBatch(headers: string): Promise<net.Socket> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST ${batchPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}\r\n\r\n`);
    socket.write(headers.includes('chunked') ? '5\r\n{"pro\r\n' : '{"pro');
    socket.on('error', () => undefined);
    return socket;
  }

  async function until(fn: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await fn())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('should answer 503 with Retry-After while a chunked batch holds the budget, store nothing, and admit batches again once it ends', async () => {
    const held = await holdBatch('Transfer-Encoding: chunked');
    let refused: request.Response | undefined;
    await until(async () => {
      refused = await request(`http://127.0.0.1:${port}`).post(batchPath).send({ profiles: [{ uid: 'refused' }] });
      return refused.status === 503;
    }, 'the held batch to be admitted');
    expect(refused!.body).toEqual({ code: 503, messages: [expect.stringContaining('Too many batches')] });
    expect(refused!.headers['retry-after']).toBe('2');
    held.destroy();
    await until(async () => (await request(`http://127.0.0.1:${port}`).post(batchPath).send({ profiles: [{ uid: 'admitted' }] })).status === 202, 'the budget released');
    await request(t.app).get('/v3/analyze/profile?uid=refused').set('X-Account-Secret', ACCOUNT.secret).expect(404);
    expect(await t.db.db.collection('chameleon_batches').countDocuments({ items: 1 })).toBeGreaterThanOrEqual(1);
  });

  it('should decide before reading the body: a request that never sends its body is refused at once', async () => {
    const held = await holdBatch(`Content-Length: ${LIMIT - 10}`);
    await until(async () => {
      const { statusCodes } = await rawExchange(port, Buffer.from(`POST ${batchPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n`), 1000);
      return statusCodes[0] === 503;
    }, 'a 503 without a body');
    held.destroy();
  });

  it('should admit batches that fit side by side', async () => {
    const held = await holdBatch('Content-Length: 1000');
    await until(async () => (await request(`http://127.0.0.1:${port}`).post(batchPath).send({ profiles: [{ uid: 'side-by-side' }] })).status === 202, 'a batch admitted beside the held one');
    held.destroy();
  });

  it('should answer 400 for malformed chunked encoding, store nothing, and give the budget back', async () => {
    const { statusCodes } = await rawExchange(port, Buffer.from(`POST ${batchPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"profiles":[{"uid":"bad-chunk"}]}\r\n0\r\n\r\n`));
    expect(statusCodes[0]).toBe(400);
    await request(t.app).get('/v3/analyze/profile?uid=bad-chunk').set('X-Account-Secret', ACCOUNT.secret).expect(404);
    await until(async () => (await request(`http://127.0.0.1:${port}`).post(batchPath).send({ profiles: [{ uid: 'after-bad-chunk' }] })).status === 202, 'the budget back');
  });

  it('should reject an inFlightBytes below limits.batchBytes when the options are read', async () => {
    const { chameleonHooks } = await import('../../lib/index.js');
    expect(() => chameleonHooks({ mongo: { uri: 'mongodb://127.0.0.1:1' }, limits: { batchBytes: 2048 }, batches: { inFlightBytes: 1024 } })).toThrow(/batches\.inFlightBytes/);
  });
});
