/**
 * Retention: TTL indexes keep webhooks, finished deliveries and batch records for
 * `delivery.retentionMs`; pending deliveries never expire; the replay window follows it.
 */
import { describe, it, expect } from 'vitest';
import request from 'supertest';
import type { Db } from 'mongodb';
import { chameleonHooks, InvalidOptionError } from '../../lib/index.js';
import { createTestApp, ACCOUNT } from '../helpers/app.js';

async function ttl(db: Db, collection: string, field: string): Promise<number | undefined> {
  const indexes = await db.collection(collection).listIndexes().toArray();
  return indexes.find((i) => i.name === `${field}_ttl`)?.expireAfterSeconds as number | undefined;
}

describe('retention', () => {
  it('should create TTL indexes with the default 30 days, on completed_at for deliveries', async () => {
    const t = await createTestApp();
    const days30 = 30 * 24 * 60 * 60;
    expect(await ttl(t.db.db, 'chameleon_webhooks', 'created_at')).toBe(days30);
    expect(await ttl(t.db.db, 'chameleon_deliveries', 'completed_at')).toBe(days30);
    expect(await ttl(t.db.db, 'chameleon_batches', 'created_at')).toBe(days30);
    expect(await ttl(t.db.db, 'chameleon_profiles', 'created_at')).toBeUndefined(); // customer data is never expired
  });

  it('should replace the TTL indexes when retentionMs changes, and bound replay by it', async () => {
    const t = await createTestApp({ delivery: { retentionMs: 2 * 24 * 60 * 60 * 1000, allowHttp: true, allowPrivateNetworks: true } });
    expect(await ttl(t.db.db, 'chameleon_deliveries', 'completed_at')).toBe(2 * 24 * 60 * 60);
    const again = chameleonHooks({ mongo: { client: t.db.client, dbName: t.db.dbName }, accounts: [ACCOUNT], delivery: { retentionMs: 3 * 24 * 60 * 60 * 1000 } });
    await again.ready();
    await again.close();
    expect(await ttl(t.db.db, 'chameleon_deliveries', 'completed_at')).toBe(3 * 24 * 60 * 60);
    const endpoint = await t.hooks.endpoints.create(ACCOUNT.id, { url: 'http://127.0.0.1:9/', topics: ['ping'] });
    const old = new Date(Date.now() - 2.5 * 24 * 60 * 60 * 1000).toISOString();
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id as string}/replay`).set('X-Account-Secret', ACCOUNT.secret).send({ since: old }).expect(422);
    expect(res.body.messages[0]).toContain('at most 2 days ago');
  });

  it('should refuse a retention that would expire webhooks before their last retry', () => {
    expect(() => chameleonHooks({ mongo: { uri: 'mongodb://127.0.0.1:1' }, delivery: { retrySchedule: [60_000, 60_000], retentionMs: 100_000 } })).toThrow(InvalidOptionError);
  });
});
