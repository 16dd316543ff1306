/**
 * The package under test: `express()` + `app.use(chameleonHooks({ mongo, accounts }))`, as a
 * host would mount it, with one static account (plus `config.options`, when given).
 */
import express from 'express';
import type { Options } from '../../lib/index.js';
import { shipped } from '../lib/shipped.js';
import type * as IndexModule from '../../lib/index.js';
import { BENCH_ACCOUNT } from '../lib/workload.js';
import type { ServerApp, ServerConfig } from './index.js';

/** Starts the package app and waits until it is ready (connected, indexes built). */
export async function startPackageApp(config: ServerConfig): Promise<ServerApp> {
  const { chameleonHooks } = await shipped<typeof IndexModule>('index.js');
  const hooks = chameleonHooks({
    mongo: { uri: config.uri, dbName: config.dbName },
    accounts: [{ ...BENCH_ACCOUNT }],
    ...(config.options as Partial<Options> | undefined),
  });
  const app = express();
  app.use(hooks);
  await hooks.ready();
  return { listener: app, close: () => hooks.close() };
}
