// Integration test: app.use(chameleonHooks()) with no argument, as hosts are told to write it, runs on MONGODB_URI (issue 11).
import { describe, it, expect, afterAll, vi } from 'vitest';
import express from 'express';
import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { chameleonHooks } from '../../lib/index.js';
import { mongoUri } from '../helpers/db.js';

describe('chameleonHooks() with no argument', () => {
  const dbName = `noarg_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    vi.unstubAllEnvs();
    const client = await MongoClient.connect(mongoUri());
    await client.db(dbName).dropDatabase().catch(() => undefined);
    await client.close();
  });

  it('should connect to MONGODB_URI (its database path) and serve requests', async () => {
    const uri = new URL(mongoUri()); // one host: the test server, or MONGODB_URI
    uri.pathname = `/${dbName}`;
    vi.stubEnv('MONGODB_URI', uri.toString());
    const hooks = chameleonHooks();
    const app = express().use(hooks);
    try {
      await hooks.ready();
      const { secret } = await hooks.accounts.create({ name: 'No options' });
      await request(app).post(`/v3/observe/hooks/${secret}/profiles`).send({ uid: 'noarg-1', plan: 'gold' }).expect(200);
      const client = await MongoClient.connect(mongoUri());
      expect(await client.db(dbName).collection('chameleon_profiles').countDocuments({ uid: 'noarg-1' })).toBe(1);
      await client.close();
    } finally {
      await hooks.close();
    }
  });
});
