/**
 * Reading back: `/v3/analyze/...` records and events, `/v3/edit/properties` and
 * `/v3/edit/event_names` catalogues. All authenticated by the account secret.
 */
import type { Router } from 'express';
import { asyncHandler } from './async-handler.js';
import { accountOf, requireAccount } from './auth.js';
import { readCompanyBy, readCompanyById, readProfileBy, readProfileById, readProfileEvents } from '../analyze/read-records.js';
import { listEventNames, listProperties } from '../catalogue/catalogue-read.js';
import type { RouteContext } from './route-context.js';

/** Adds the read routes to `router`. */
export function mountAnalyzeRoutes(router: Router, ctx: RouteContext): void {
  const auth = [requireAccount(ctx), ctx.rateLimit];
  const q = (query: unknown) => query as Record<string, unknown>;
  router.get('/v3/analyze/profiles/:id/events', auth, asyncHandler(async (req, res) => {
    res.json(await readProfileEvents(accountOf(res).id, String(req.params.id), q(req.query), await ctx.ingest()));
  }));
  router.get('/v3/analyze/profiles/:id', auth, asyncHandler(async (req, res) => {
    res.json(await readProfileById(accountOf(res).id, String(req.params.id), await ctx.ingest()));
  }));
  router.get('/v3/analyze/profile', auth, asyncHandler(async (req, res) => {
    res.json(await readProfileBy(accountOf(res).id, q(req.query), await ctx.ingest()));
  }));
  router.get('/v3/analyze/companies/:id', auth, asyncHandler(async (req, res) => {
    res.json(await readCompanyById(accountOf(res).id, String(req.params.id), await ctx.ingest()));
  }));
  router.get('/v3/analyze/company', auth, asyncHandler(async (req, res) => {
    res.json(await readCompanyBy(accountOf(res).id, q(req.query), await ctx.ingest()));
  }));
  router.get('/v3/edit/properties', auth, asyncHandler(async (req, res) => {
    const { collections, bookkeeper } = await ctx.store();
    res.json(await listProperties(collections, bookkeeper, accountOf(res).id, q(req.query).kind));
  }));
  router.get('/v3/edit/event_names', auth, asyncHandler(async (req, res) => {
    const { collections, bookkeeper } = await ctx.store();
    res.json(await listEventNames(collections, bookkeeper, accountOf(res).id));
  }));
}
