/**
 * Assembles the package's Express router: the route modules, then `404` for unknown routes
 * under the package's own `/v3` prefixes (other `/v3` paths go on to the host), then the error
 * middleware. Paths are relative to wherever the host mounts it.
 */
import express, { type RequestHandler, type Router } from 'express';
import { errorMiddleware } from './error-middleware.js';
import { notFound } from './not-found.js';
import { mountObserveRoutes } from './observe-routes.js';
import { mountAnalyzeRoutes } from './analyze-routes.js';
import type { RouteContext } from './route-context.js';
import { openApiDocument } from '../openapi/document.js';
import { mountMethodNotAllowed } from './method-not-allowed.js';

/** A function that adds more routes (e.g. the delivery API), mounted after the data-in routes, before the 404 and error handlers. */
export type RouteMounter = (router: Router, ctx: RouteContext) => void;

/**
 * Builds the router. `around.enter` sees every request before the routes (request metrics), and
 * `around.leave` every request the package passes on to the host's routes.
 */
export function createRouter(
  ctx: RouteContext,
  extra: RouteMounter[] = [],
  around: { enter?: RequestHandler; leave?: RequestHandler } = {},
): Router {
  const router = express.Router();
  if (around.enter) router.use(around.enter);
  // The data-in routes first, then the extra ones (in their order), then the rest: every layer
  // before a route costs each of its requests a path match, and these are the hot paths.
  mountObserveRoutes(router, ctx);
  for (const mount of extra) mount(router, ctx);
  mountAnalyzeRoutes(router, ctx);
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openApiDocument());
  });
  mountMethodNotAllowed(router);
  router.use('/v3', notFound(router));
  router.use(errorMiddleware(ctx.config.logger));
  if (around.leave) router.use(around.leave);
  return router;
}
