/**
 * `npm run example`: a host Express app with chameleon-hooks mounted at `/chameleon`, a local
 * receiver that verifies every delivery, and a database (`MONGODB_URI`, or the local
 * mongo-java-server started here). Binds to 127.0.0.1 only. Ctrl-C or SIGTERM shuts it all down.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { chameleonHooks, type ChameleonHooks } from '../lib/index.js';
import { DASHBOARD_PATH, DB_NAME, DEMO_ACCOUNT, HOST, HOST_PORT, MOUNT_PATH, RECEIVER_PATH, RECEIVER_PORT, TRACK_PORT } from './config.js';
import { openDatabase, type ExampleDatabase } from './database.js';
import { consoleLogger, levelFromEnv } from './logger.js';
import { createReceiverApp } from './receiver.js';
import { createTrackReceiverApp, DEMO_WORKSPACE } from './track-receiver.js';
import { createHostApp } from './host-app.js';
import { apiClient } from './api-client.js';
import { setupDemo } from './setup-demo.js';
import { formatCurls } from './curls.js';

function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, HOST);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function closeServer(server: Server | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function urlOf(server: Server, path = ''): string {
  return `http://${HOST}:${(server.address() as AddressInfo).port}${path}`;
}

/** Everything started so far, so that shutdown (or a failed start) stops exactly that. */
const running: { database?: ExampleDatabase; hooks?: ChameleonHooks; host?: Server; receiver?: Server; track?: Server } = {};

async function start(): Promise<void> {
  running.database = await openDatabase();

  const hooks = chameleonHooks({
    mongo: { uri: running.database.uri, dbName: DB_NAME },
    accounts: [DEMO_ACCOUNT],
    // LOCAL DEVELOPMENT ONLY: the receiver is http://127.0.0.1. In production leave both off,
    // so endpoints must be https and may not point at loopback or private networks (SSRF).
    delivery: { allowHttp: true, allowPrivateNetworks: true },
    logger: consoleLogger(levelFromEnv()),
  });
  running.hooks = hooks;

  const receiver = createReceiverApp(DEMO_ACCOUNT.webhookSecret);
  running.receiver = await listen(receiver.app, RECEIVER_PORT);
  running.track = await listen(createTrackReceiverApp().app, TRACK_PORT);
  running.host = await listen(createHostApp(hooks, receiver.received), HOST_PORT);
  await hooks.ready(); // indexes built, Agenda started

  const hostUrl = urlOf(running.host);
  const baseUrl = `${hostUrl}${MOUNT_PATH}`;
  const receiverUrl = urlOf(running.receiver, RECEIVER_PATH);
  const since = new Date(Date.now() - 60_000).toISOString();
  const api = apiClient(baseUrl, DEMO_ACCOUNT.secret);
  const ids = await setupDemo(api, receiverUrl);
  // Customer.io (data out) to the local Track API stand-in: one call connects it.
  const trackUrl = urlOf(running.track);
  await api('PUT', '/v3/edit/integrations/customerio', { site_id: DEMO_WORKSPACE.siteId, api_key: DEMO_WORKSPACE.apiKey, track_url: trackUrl, step_seen: true });

  console.log(`
chameleon-hooks example is ready.
  host app       ${hostUrl}/          (its own routes: /, /demo/*)
  chameleon-hooks ${baseUrl}   (mounted with app.use('${MOUNT_PATH}', hooks))
  dashboard      ${hostUrl}${DASHBOARD_PATH}/   (open it in a browser; local-only authorize, admin of "${DEMO_ACCOUNT.id}")
  receiver       ${receiverUrl}   (verifies with verifyChameleonWebhook)
  database       ${running.database.label}, db "${DB_NAME}"
  demo account   id "${DEMO_ACCOUNT.id}", account secret ${DEMO_ACCOUNT.secret}, webhook secret ${DEMO_ACCOUNT.webhookSecret}
                 (fixed DEMO secrets, for this local example only)
  endpoint       ${ids.endpointId} → the receiver, all 26 topics
  customer.io    ${trackUrl}   (a local Track API stand-in, connected as the account's Customer.io: tour.started/completed/exited and tour.step.seen go there, logged as [customer.io])

${formatCurls({ hostUrl, baseUrl, receiverUrl, trackUrl, secret: DEMO_ACCOUNT.secret, ids, since })}

Ctrl-C to stop.
`);
}

let stopping = false;

/** Stops in dependency order: no new requests, drain deliveries (the receiver still up), then the rest. */
async function stop(exitCode: number): Promise<never> {
  if (stopping) process.exit(1); // a second Ctrl-C: give up waiting
  stopping = true;
  console.log('\nShutting down…');
  await closeServer(running.host).catch((e: unknown) => console.error('host server:', e));
  await running.hooks?.close().catch((e: unknown) => console.error('hooks.close():', e));
  await closeServer(running.receiver).catch((e: unknown) => console.error('receiver:', e));
  await closeServer(running.track).catch((e: unknown) => console.error('Track API stand-in:', e));
  await running.database?.stop().catch((e: unknown) => console.error('database:', e));
  console.log('Stopped.');
  process.exit(exitCode);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

start().catch(async (error: unknown) => {
  console.error('The example could not start:', error instanceof Error ? error.message : error);
  await stop(1);
});
