/**
 * The host: an ordinary Express app with chameleon-hooks mounted at `/chameleon`, next to
 * routes of its own.
 */
import express, { type Express, type Request } from 'express';
import { TOPICS, type ChameleonHooks, type DashboardGrant } from '../lib/index.js';
import { DASHBOARD_PATH, DEMO_ACCOUNT, MOUNT_PATH } from './config.js';
import { demoRoutes } from './demo-routes.js';
import type { ReceivedWebhook } from './receiver.js';

const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * LOCAL DEVELOPMENT ONLY: anyone on this machine is an admin of the demo account; anyone else is
 * refused (401). Behind a proxy every request looks local, so never use this in production.
 */
function localOnly(req: Request): DashboardGrant | null {
  return LOOPBACK.has(req.socket.remoteAddress ?? '') ? { accountId: DEMO_ACCOUNT.id, role: 'admin' } : null;
}

/** Builds the host app. `received` is the receiver's log, shown by `GET /demo/received`. */
export function createHostApp(hooks: ChameleonHooks, received: readonly ReceivedWebhook[]): Express {
  const app = express();
  // The package reads its own request bodies (with its own limits), so mount it before any body parser.
  app.use(MOUNT_PATH, hooks);
  // The dashboard, for this machine only: a real host authorizes from its own session instead.
  app.use(DASHBOARD_PATH, hooks.dashboard({ authorize: localOnly }));

  // The host's own routes live next to it, untouched.
  app.use(express.json());
  app.get('/', (_req, res) => {
    res.json({
      app: 'chameleon-hooks example host',
      chameleon: MOUNT_PATH,
      dashboard: `${DASHBOARD_PATH}/`,
      account: DEMO_ACCOUNT.id,
      demo: { publish: '/demo/publish/:topic', publish_all: '/demo/publish-all', received: '/demo/received' },
      topics: TOPICS,
    });
  });
  app.get('/demo/received', (_req, res) => {
    res.json({ received: [...received].reverse() });
  });
  app.use(demoRoutes(hooks, DEMO_ACCOUNT.id));
  return app;
}
