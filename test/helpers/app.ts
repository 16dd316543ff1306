/**
 * Builds a real Express app with chameleon-hooks mounted on the test database, for supertest.
 */
import express, { type Express } from 'express';
import { afterAll } from 'vitest';
import { chameleonHooks, type ChameleonHooks, type Options } from '../../lib/index.js';
import { useTestDb, type TestDb } from './db.js';

import { ACCOUNT, OTHER_ACCOUNT } from './accounts.js';
import { watchingLogger } from '../setup/secret-watch.js';

export { ACCOUNT, OTHER_ACCOUNT };

/** A ready test app. */
export interface TestApp {
  app: Express;
  hooks: ChameleonHooks;
  db: TestDb;
}

/** Mounts the package with two static accounts (unless `options.accounts` says otherwise). */
export async function createTestApp(options: Partial<Options> = {}, mountPath = '/'): Promise<TestApp> {
  const db = await useTestDb();
  const hooks = chameleonHooks({
    mongo: { client: db.client, dbName: db.dbName },
    accounts: [ACCOUNT, OTHER_ACCOUNT],
    flushIntervalMs: 50,
    // Every line the package logs is checked for the test secrets (test/setup/secret-watch.ts).
    logger: watchingLogger(),
    ...options,
  });
  const app = express();
  app.use(mountPath, hooks);
  app.get('/host-route', (_req, res) => {
    res.json({ host: true });
  });
  await hooks.ready();
  afterAll(() => hooks.close());
  return { app, hooks, db };
}
