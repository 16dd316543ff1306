/**
 * The example app's settings: ports from the environment, the mount path, and one static demo
 * account whose secrets are FIXED DEMO VALUES for local use only — never reuse them anywhere real.
 */
import type { StaticAccount } from '../lib/index.js';

/** Every server of the example binds to loopback only. */
export const HOST = '127.0.0.1';

/** Where the host app mounts chameleon-hooks; every package path is relative to it. */
export const MOUNT_PATH = '/chameleon';

/** Where the host app mounts the dashboard (local-only authorize: see host-app.ts). */
export const DASHBOARD_PATH = '/dashboard';

/** The receiver's webhook route. */
export const RECEIVER_PATH = '/webhooks/chameleon';

/** The database the example uses on a MongoDB given by `MONGODB_URI`. */
export const DB_NAME = 'chameleon_example';

/**
 * The demo account. DEMO SECRETS, hard-coded on purpose so the printed curls work as they are:
 * fine for a local example, never for anything reachable by others.
 */
export const DEMO_ACCOUNT: Readonly<StaticAccount> = Object.freeze({
  id: 'demo',
  name: 'Demo Account',
  secret: 'acct_demo_secret_local_only_0000',
  webhookSecret: 'whsec_demo_secret_local_only_0000',
});

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  return value;
}

/** The host app's port: `PORT`, default 3000 (0 picks a free one). */
export const HOST_PORT = port('PORT', 3000);

/** The receiver's port: `RECEIVER_PORT`, default 3001 (0 picks a free one). */
export const RECEIVER_PORT = port('RECEIVER_PORT', 3001);

/** The local Track API stand-in's port (Customer.io data out): `TRACK_PORT`, default 3002 (0 picks a free one). */
export const TRACK_PORT = port('TRACK_PORT', 3002);
