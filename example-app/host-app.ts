/**
 * The host: an ordinary Express app with chameleon-hooks mounted at `/chameleon`, next to
 * routes of its own.
 */
import express, { type Express } from 'express';
import { TOPICS, type ChameleonHooks } from '../lib/index.js';
import { DEMO_ACCOUNT, MOUNT_PATH } from './config.js';
import { demoRoutes } from './demo-routes.js';
import type { ReceivedWebhook } from './receiver.js';

/** Builds the host app. `received` is the receiver's log, shown by `GET /demo/received`. */
export function createHostApp(hooks: ChameleonHooks, received: readonly ReceivedWebhook[]): Express {
  const app = express();
  // The package reads its own request bodies (with its own limits), so mount it before any body parser.
  app.use(MOUNT_PATH, hooks);

  // The host's own routes live next to it, untouched.
  app.use(express.json());
  app.get('/', (_req, res) => {
    res.json({
      app: 'chameleon-hooks example host',
      chameleon: MOUNT_PATH,
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
