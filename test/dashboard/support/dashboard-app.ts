/**
 * A host app for the dashboard tests, listening on loopback: chameleon-hooks at `/chameleon`, the
 * dashboard at `/admin/hooks` behind an `authorize` that reads the test's stand-in session header
 * (`x-test-user: <role>:<account>[:all]`; absent → `null`, refused).
 */
import type express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import type { DashboardGrant, Options } from '../../../lib/index.js';

/** The dashboard's mount path in the tests. */
export const DASHBOARD_PATH = '/admin/hooks';

/** A running host app with the dashboard. */
export interface DashboardApp extends TestApp {
  server: Server;
  /** `http://127.0.0.1:port` */
  origin: string;
  /** The dashboard's URL (with its trailing slash). */
  dashboardUrl: string;
}

/** The session header of a person with `role` on `account` (`all` lets them switch accounts). */
export function userHeader(role: 'admin' | 'viewer', account: string, all = false): Record<string, string> {
  return { 'x-test-user': `${role}:${account}${all ? ':all' : ''}` };
}

/** Parses the stand-in session header into a grant. */
function authorize(req: express.Request): DashboardGrant | null {
  const value = req.headers['x-test-user'];
  if (typeof value !== 'string') return null;
  const [role, accountId, all] = value.split(':');
  if ((role !== 'admin' && role !== 'viewer') || !accountId) return null;
  return { accountId, role, ...(all === 'all' ? { accounts: 'all' as const } : {}) };
}

/** Starts the host app on a free loopback port; stopped after the file's tests. */
export async function startDashboardApp(options: Partial<Options> = {}): Promise<DashboardApp> {
  const test = await createTestApp(options, '/chameleon');
  test.app.use(DASHBOARD_PATH, test.hooks.dashboard({ authorize }));
  const server = await new Promise<Server>((resolve) => {
    const s = test.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  afterAll(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { ...test, server, origin, dashboardUrl: `${origin}${DASHBOARD_PATH}/` };
}
