/**
 * The baseline of the background-batch benchmark: the package's batch path as it was before
 * batches were applied in the background (one request checks and writes every 1,000-item
 * chunk, in order, then answers `202`), rebuilt from the package's own functions (item checks,
 * chunk application, repositories, bookkeeping) so only the synchronous shape differs.
 */
import express from 'express';
import { MongoClient, ObjectId } from 'mongodb';
import { shipped } from '../lib/shipped.js';
import type * as IndexModule from '../../lib/index.js';
import type * as JsonBodyModule from '../../lib/http/json-body.js';
import type * as CollectionsModule from '../../lib/store/collections.js';
import type * as BookkeeperModule from '../../lib/catalogue/bookkeeper.js';
import type * as LoggerModule from '../../lib/logger.js';
import type * as BatchModule from '../../lib/ingest/batch.js';
import type * as DepsModule from '../../lib/ingest/deps.js';
import { BENCH_ACCOUNT, PACKAGE_BATCH_PATH } from '../lib/workload.js';
import type { ServerApp, ServerConfig } from './index.js';

const CHUNK = 1000;

/** Starts the synchronous batch baseline on the package's batch path. */
export async function startPackageSyncApp(config: ServerConfig): Promise<ServerApp> {
  // The built package's modules, as the package app runs them (bench/lib/shipped.ts).
  const { chameleonHooks } = await shipped<typeof IndexModule>('index.js');
  const { jsonBody } = await shipped<typeof JsonBodyModule>('http/json-body.js');
  const { Collections } = await shipped<typeof CollectionsModule>('store/collections.js');
  const { Bookkeeper } = await shipped<typeof BookkeeperModule>('catalogue/bookkeeper.js');
  const { SILENT_LOGGER } = await shipped<typeof LoggerModule>('logger.js');
  const { applyBatchChunk, checkBatchItem } = await shipped<typeof BatchModule>('ingest/batch.js');
  const { createIngestDeps } = await shipped<typeof DepsModule>('ingest/deps.js');
  // The package itself only builds the indexes, exactly as for the package app.
  const hooks = chameleonHooks({ mongo: { uri: config.uri, dbName: config.dbName }, accounts: [{ ...BENCH_ACCOUNT }] });
  await hooks.ready();
  await hooks.close();
  const client = new MongoClient(config.uri);
  await client.connect();
  const collections = new Collections(client.db(config.dbName), 'chameleon_');
  const bookkeeper = new Bookkeeper(collections, { flushIntervalMs: 1000, logger: SILENT_LOGGER });
  bookkeeper.start();
  const deps = createIngestDeps(collections, bookkeeper, { valueBytes: 768, propertiesPerItem: 1000 });
  const app = express();
  app.post(PACKAGE_BATCH_PATH, jsonBody({ limitBytes: 16 * 1024 * 1024, tooLargeMessage: 'too large' }), async (req, res) => {
    const items = (req.body as { profiles: unknown[] }).profiles;
    const errors: unknown[] = [];
    for (let start = 0; start < items.length; start += CHUNK) {
      const chunk = items.slice(start, start + CHUNK);
      items.fill(null, start, start + CHUNK);
      const checked = chunk.map((item, offset) => {
        const result = checkBatchItem('profile', BENCH_ACCOUNT.id, item, start + offset, deps.propertiesPerItem);
        if ('error' in result) errors.push(result.error);
        return 'error' in result ? null : item;
      });
      errors.push(...(await applyBatchChunk('profile', BENCH_ACCOUNT.id, checked, start, deps, true)));
    }
    const id = new ObjectId();
    await collections.get('batches').insertOne({ _id: id, account: BENCH_ACCOUNT.id, kind: 'profile', items: items.length, errors_count: errors.length, created_at: new Date() });
    res.status(202).json({ batch: { id: id.toHexString() }, errors: errors.slice(0, 1000), errors_count: errors.length });
  });
  return {
    listener: app,
    close: async () => {
      await bookkeeper.stop();
      await client.close();
    },
  };
}
