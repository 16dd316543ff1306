/**
 * Assembles the package's Express router: the route modules, then `404` for unknown
 * `/v3` paths, then the error middleware. Paths are relative to wherever the host mounts it.
 */
import express, { type RequestHandler, type Router } from 'express';
import { errorMiddleware, notFound } from './error-middleware.js';
import { mountObserveRoutes } from './observe-routes.js';
import { mountAnalyzeRoutes } from './analyze-routes.js';
import type { RouteContext } from './route-context.js';

/** A function that adds more routes (e.g. the delivery API) before the 404 and error handlers. */
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
  mountObserveRoutes(router, ctx);
  mountAnalyzeRoutes(router, ctx);
  for (const mount of extra) mount(router, ctx);
  router.use('/v3', notFound);
  router.use(errorMiddleware(ctx.config.logger));
  if (around.leave) router.use(around.leave);
  return router;
}
