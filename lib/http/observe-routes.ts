/**
 * The incoming ("data in") routes: profiles, companies and events, single and batch, with the
 * account secret in the path or (without it) in a header or parameter.
 */
import type { Router, RequestHandler } from 'express';
import { asyncHandler } from './async-handler.js';
import { accountOf, requireAccount } from './auth.js';
import { jsonBody } from './json-body.js';
import { ingestProfile } from '../ingest/profiles.js';
import { ingestCompany } from '../ingest/companies.js';
import { ingestEvent } from '../ingest/events.js';
import { ingestBatch } from '../ingest/batch.js';
import type { RouteContext } from './route-context.js';

/** The exact `413` message of a batch over the limit (SPEC §3). */
export function batchTooLargeMessage(batchBytes: number): string {
  const mb = Math.round(batchBytes / (1024 * 1024));
  return `Each batch must be less than ${mb}mb, try splitting the batch in half`;
}

/** Adds the observe routes to `router`. */
export function mountObserveRoutes(router: Router, ctx: RouteContext): void {
  const { limits } = ctx.config;
  const single = jsonBody({ limitBytes: limits.bodyBytes, tooLargeMessage: `The request body must be less than ${Math.round(limits.bodyBytes / 1024)}kb` });
  const batch = jsonBody({ limitBytes: limits.batchBytes, tooLargeMessage: batchTooLargeMessage(limits.batchBytes) });
  const body = (kind: 'single' | 'batch'): RequestHandler[] => [
    requireAccount(ctx.accounts, { beforeBody: true }),
    kind === 'single' ? single : batch,
    requireAccount(ctx.accounts),
  ];
  const routes: Array<[string, 'single' | 'batch', RequestHandler]> = [
    ['profiles', 'single', asyncHandler(async (req, res) => {
      res.status(200).json({ profile: await ingestProfile(accountOf(res).id, req.body, await ctx.ingest()) });
    })],
    ['profiles/batch', 'batch', asyncHandler(async (req, res) => {
      res.status(202).json(await ingestBatch('profile', accountOf(res).id, req.body, await ctx.ingest()));
    })],
    ['companies', 'single', asyncHandler(async (req, res) => {
      res.status(200).json({ company: await ingestCompany(accountOf(res).id, req.body, await ctx.ingest()) });
    })],
    ['companies/batch', 'batch', asyncHandler(async (req, res) => {
      res.status(202).json(await ingestBatch('company', accountOf(res).id, req.body, await ctx.ingest()));
    })],
    ['events', 'single', asyncHandler(async (req, res) => {
      res.status(200).json({ event: await ingestEvent(accountOf(res).id, req.body, await ctx.ingest()) });
    })],
  ];
  // Secret-less paths first, so `/v3/observe/hooks/profiles/batch` is never read as a secret named "profiles".
  for (const [path, kind, handler] of routes) router.post(`/v3/observe/hooks/${path}`, ...body(kind), handler);
  for (const [path, kind, handler] of routes) router.post(`/v3/observe/hooks/:account_secret/${path}`, ...body(kind), handler);
}
