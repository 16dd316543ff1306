// Integration tests for limits.propertiesPerItem and the linear cost of an item's keys (issue 11 item 1).
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';
import { until } from './support/delivery.js';

const base = `/v3/observe/hooks/${ACCOUNT.secret}`;
const auth = { 'X-Account-Secret': ACCOUNT.secret };

/** An item with `n` custom keys (plus its uid). */
function wide(uid: string, n: number, round = 0): Record<string, unknown> {
  const item: Record<string, unknown> = { uid };
  for (let i = 0; i < n; i++) item[`propertyName${i}`] = `value ${i} ${round}`;
  return item;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('limits.propertiesPerItem', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it('should accept an item at the limit and store every key', async () => {
    await request(t.app).post(`${base}/profiles`).send(wide('at-limit', 999)).expect(200); // 999 + uid = 1,000 keys
    const read = await request(t.app).get('/v3/analyze/profile?uid=at-limit').set(auth).expect(200);
    expect(read.body.profile.property_name998).toBe('value 998 0');
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['a profile', 'profiles', wide('over', 1000)],
    ['a company', 'companies', wide('over-co', 1000)],
    ['an event', 'events', { ...wide('over-ev', 1000), name: 'Wide' }],
    ['a profile whose nested objects hold the keys', 'profiles', { uid: 'nested', a: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, { x: i }])) }],
  ])('should answer 422 naming the limit for %s over it, and store nothing', async (_label, path, body) => {
    const res = await request(t.app).post(`${base}/${path}`).send(body).expect(422);
    expect(res.body).toEqual({ code: 422, messages: ['Too many properties in the ' + path.replace(/s$/, '').replace('companie', 'company') + ': at most 1000 keys are accepted per item (limits.propertiesPerItem)'] });
    await request(t.app).get(`/v3/analyze/profile?uid=${String(body.uid)}`).set(auth).expect(404);
  });

  it('should refuse only the items over the limit in a batch', async () => {
    const res = await request(t.app).post(`${base}/profiles/batch`).send({ profiles: [{ uid: 'b-ok-1' }, wide('b-over', 1000), { uid: 'b-ok-2' }] }).expect(202);
    expect(res.body.errors).toEqual([{ code: 422, index: 1, message: 'Too many properties in the 2nd item: at most 1000 keys are accepted per item (limits.propertiesPerItem)' }]);
    // Batches are applied in the background: wait for the last good item, then the refused one is known absent.
    await until(async () => (await request(t.app).get('/v3/analyze/profile?uid=b-ok-2').set(auth)).status === 200, 20_000, 'the batch applied');
    await request(t.app).get('/v3/analyze/profile?uid=b-over').set(auth).expect(404);
  });

  it('should honour a configured limit', async () => {
    const small = await createTestApp({ limits: { propertiesPerItem: 3 } });
    await request(small.app).post(`${base}/profiles`).send({ uid: 'x', a: 1, b: 2 }).expect(200);
    const res = await request(small.app).post(`${base}/profiles`).send({ uid: 'x', a: 1, b: 2, c: 3 }).expect(422);
    expect(res.body.messages[0]).toMatch(/at most 3 keys/);
  });

  it('should cost about 10 times as much for 1,000 keys as for 100 (linear, not quadratic)', async () => {
    // Rounds alternate sizes so that a busy machine slows both alike; the ratio of medians is compared, never a time.
    const sample = async (n: number, round: number): Promise<number> => {
      const body = JSON.stringify(wide(`growth-${n}`, n - 1, round));
      const started = performance.now();
      await request(t.app).post(`${base}/profiles`).set('Content-Type', 'application/json').send(body).expect(200);
      return performance.now() - started;
    };
    await sample(100, -1);
    await sample(1000, -1); // creates both records and warms up
    const small: number[] = [];
    const large: number[] = [];
    for (let round = 0; round < 7; round++) {
      small.push(await sample(100, round));
      large.push(await sample(1000, round));
    }
    const ratio = median(large) / median(small);
    // Linear is about 10 (less: a request has fixed costs); one update of 1,000 dotted paths was about 100 and growing.
    expect(ratio).toBeLessThan(30);
  }, 60_000);
});
