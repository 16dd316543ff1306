/**
 * A host process for the batch fault tests: Express with chameleon-hooks on the shared test
 * database, listening on a free loopback port, so the parent test can post batches to it over
 * HTTP and `kill -9` it while it applies them.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { chameleonHooks, type Options } from '../../lib/index.js';

const extra = JSON.parse(process.env.FAULT_OPTIONS ?? '{}') as Partial<Options>;
const hooks = chameleonHooks({
  mongo: { uri: process.env.FAULT_MONGO_URI!, dbName: process.env.FAULT_DB_NAME! },
  accounts: [{ id: 'acme', secret: 'acct_fault_secret_0123456789', webhookSecret: 'whsec_fault_secret_0123456789' }],
  flushIntervalMs: 100,
  ...extra,
});
await hooks.ready();
const app = express();
app.use(hooks);
const server = app.listen(0, '127.0.0.1', () => {
  process.send!({ ready: true, pid: process.pid, port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { op?: string }) => {
  if (message.op !== 'close') return;
  server.closeAllConnections();
  server.close();
  void hooks.close().then(() => process.exit(0));
});
