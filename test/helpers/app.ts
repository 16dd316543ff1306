/**
 * Builds a real Express app with chameleon-hooks mounted on the test database, for supertest.
 */
import express, { type Express } from 'express';
import { afterAll } from 'vitest';
import { chameleonHooks, type ChameleonHooks, type Options } from '../../lib/index.js';
import { useTestDb, type TestDb } from './db.js';

/** The static account every test app has. */
export const ACCOUNT = {
  id: 'acme',
  name: 'Acme',
  secret: 'acct_test_secret_0123456789abcdef',
  webhookSecret: 'whsec_test_secret_0123456789abcdef',
};

/** A second account, to prove isolation. */
export const OTHER_ACCOUNT = {
  id: 'globex',
  name: 'Globex',
  secret: 'acct_other_secret_0123456789abcdef',
  webhookSecret: 'whsec_other_secret_0123456789abcdef',
};

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
