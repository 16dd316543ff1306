/**
 * `hooks.dashboard()`: an Express router the host mounts where it likes. Order: security
 * headers on everything; the static assets; then `authorize` (every page and API call); the JSON
 * API under `api/` (actions also pass the CSRF/origin check and the admin check); the pages; and
 * errors as `{code, messages}` (API) or plain text (pages), never HTML built from input.
 */
import express, { type ErrorRequestHandler, type Request, type Router } from 'express';
import { ChameleonError, toHttpError } from '../errors.js';
import { errorMiddleware } from '../http/error-middleware.js';
import { jsonBody } from '../http/json-body.js';
import { requireAccess, requireAdmin } from './access.js';
import { assetsRouter } from './assets.js';
import { requireSameOriginAction, securityHeaders } from './security.js';
import { PAGE_PATHS, pageHandler } from './shell.js';
import { mountSessionRoutes } from './api/session-routes.js';
import { mountDataRoutes } from './api/data-routes.js';
import { mountActivityRoutes } from './api/activity-routes.js';
import { mountIntegrationRoutes } from './api/integrations-routes.js';
import { mountEndpointRoutes } from './api/endpoints-routes.js';
import { mountDeliveryRoutes } from './api/deliveries-routes.js';
import { mountOverviewRoutes } from './api/overview-routes.js';
import type { DashboardDeps } from './deps.js';

/** A function that adds more API routes (the delivery and integration pages). */
export type DashboardApiMounter = (api: Router, deps: DashboardDeps) => void;

const READS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** Whether the request carries a body (a length above 0, or chunked). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function apiRouter(deps: DashboardDeps, extra: DashboardApiMounter[]): Router {
  const api = express.Router();
  const body = jsonBody({ limitBytes: 16 * 1024, tooLargeMessage: 'The request body must be less than 16kb' });
  api.use((req, res, next) => {
    if (READS.has(req.method)) {
      next();
      return;
    }
    requireSameOriginAction(req, res, (error?: unknown) => {
      if (error) return next(error);
      requireAdmin(req, res, (adminError?: unknown) => {
        if (adminError) return next(adminError);
        // An action without a body (DELETE, a bare POST) has nothing to parse.
        if (!hasBody(req)) {
          req.body = {};
          return next();
        }
        body(req, res, next);
      });
    });
  });
  mountSessionRoutes(api, deps);
  mountDataRoutes(api, deps);
  mountActivityRoutes(api, deps);
  mountIntegrationRoutes(api, deps);
  mountEndpointRoutes(api, deps);
  mountDeliveryRoutes(api, deps);
  mountOverviewRoutes(api, deps);
  for (const mount of extra) mount(api, deps);
  api.use((req, _res, next) => next(new ChameleonError('CH_ERR_NOT_FOUND', `No dashboard API route for ${req.method} ${req.path}`)));
  api.use(errorMiddleware(deps.ctx.config.logger));
  return api;
}

/** Errors of page requests: a plain-text answer with the status (never HTML built from input). */
function pageErrors(deps: DashboardDeps): ErrorRequestHandler {
  const json = errorMiddleware(deps.ctx.config.logger);
  return (error, req, res, next) => {
    if (res.headersSent || req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json') {
      json(error, req, res, next);
      return;
    }
    const { status, body } = toHttpError(error);
    if (status >= 500 && !(error instanceof ChameleonError)) deps.ctx.config.logger.error({ err: error }, 'chameleon-hooks: dashboard error');
    res.status(status).type('text/plain').send(`${status} ${body.messages.join('\n')}\n`);
  };
}

/** Builds the dashboard router. */
export function createDashboardRouter(deps: DashboardDeps, extra: DashboardApiMounter[] = []): Router {
  const router = express.Router();
  router.use(securityHeaders(deps.dashboard.frameAncestors));
  router.use('/assets', assetsRouter());
  router.use(requireAccess(deps.dashboard.authorize, deps.ctx.accounts, deps.ctx.config.logger));
  router.use('/api', apiRouter(deps, extra));
  router.get(PAGE_PATHS, pageHandler);
  router.use((req, _res, next) => next(new ChameleonError('CH_ERR_NOT_FOUND', `No dashboard page at ${req.path}`)));
  router.use(pageErrors(deps));
  return router;
}
