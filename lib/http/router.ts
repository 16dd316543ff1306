/**
 * Assembles the package's Express router: the route modules, then `404` for unknown
 * `/v3` paths, then the error middleware. Paths are relative to wherever the host mounts it.
 */
import express, { type Router } from 'express';
import { errorMiddleware, notFound } from './error-middleware.js';
import { mountObserveRoutes } from './observe-routes.js';
import { mountAnalyzeRoutes } from './analyze-routes.js';
import type { RouteContext } from './route-context.js';

/** A function that adds more routes (e.g. the delivery API) before the 404 and error handlers. */
export type RouteMounter = (router: Router, ctx: RouteContext) => void;

/** Builds the router. */
export function createRouter(ctx: RouteContext, extra: RouteMounter[] = []): Router {
  const router = express.Router();
  mountObserveRoutes(router, ctx);
  mountAnalyzeRoutes(router, ctx);
  for (const mount of extra) mount(router, ctx);
  router.use('/v3', notFound);
  router.use(errorMiddleware(ctx.config.logger));
  return router;
}
