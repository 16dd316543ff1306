/**
 * The incoming ("data in") routes: profiles, companies and events, single and batch, with the
 * account secret in the path or (without it) in a header or parameter; and a batch's state.
 * A batch body is admitted within the in-flight byte budget before it is read.
 */
import type { Router, RequestHandler } from 'express';
import { asyncHandler } from './async-handler.js';
import { accountOf, requireAccount } from './auth.js';
import { jsonBody } from './json-body.js';
import { ingestProfile } from '../ingest/profiles.js';
import { ingestCompany } from '../ingest/companies.js';
import { ingestEvent } from '../ingest/events.js';
import { batchAdmission } from '../batches/admission.js';
import type { RouteContext } from './route-context.js';

/**
 * A byte limit as the messages show it: whole mebibytes as `16mb`, anything else in kibibytes
 * rounded down (`64kb`), so a limit below 1 MiB never reads `0mb`.
 */
export function formatLimit(bytes: number): string {
  const MIB = 1024 * 1024;
  if (bytes >= MIB && bytes % MIB === 0) return `${bytes / MIB}mb`;
  return `${Math.max(1, Math.floor(bytes / 1024))}kb`;
}

/** The exact `413` message of a batch over the limit (SPEC §3): `Each batch must be less than 16mb, …`. */
export function batchTooLargeMessage(batchBytes: number): string {
  return `Each batch must be less than ${formatLimit(batchBytes)}, try splitting the batch in half`;
}

/** The `413` message of a single-item body over the limit. */
export function bodyTooLargeMessage(bodyBytes: number): string {
  return `The request body must be less than ${formatLimit(bodyBytes)}`;
}

/** Adds the observe routes to `router`. */
export function mountObserveRoutes(router: Router, ctx: RouteContext): void {
  const { limits } = ctx.config;
  const single = jsonBody({ limitBytes: limits.bodyBytes, tooLargeMessage: bodyTooLargeMessage(limits.bodyBytes), anyContentType: true });
  const batch = jsonBody({ limitBytes: limits.batchBytes, tooLargeMessage: batchTooLargeMessage(limits.batchBytes), anyContentType: true });
  const admitBatch = batchAdmission(ctx.batchBudget, limits.batchBytes);
  // Hot path: only the handlers a request needs. With the secret in the path the account is known
  // before the body is read, so it is not looked for again after; a rate limit that is off adds nothing.
  const limit = ctx.config.rateLimit === false ? [] : [ctx.rateLimit];
  const body = (kind: 'single' | 'batch', secretInPath: boolean): RequestHandler[] => [
    requireAccount(ctx, { beforeBody: true }),
    ...(kind === 'single' ? [single] : [admitBatch, batch]),
    ...(secretInPath ? [] : [requireAccount(ctx)]),
    ...limit,
  ];
  const routes: Array<[string, 'single' | 'batch', RequestHandler]> = [
    ['profiles', 'single', asyncHandler(async (req, res) => {
      res.status(200).json({ profile: await ingestProfile(accountOf(res).id, req.body, ctx.readyIngest?.() ?? (await ctx.ingest())) });
    })],
    ['profiles/batch', 'batch', asyncHandler(async (req, res) => {
      res.status(202).json(await (await ctx.batches()).receive('profile', accountOf(res).id, req.body));
    })],
    ['companies', 'single', asyncHandler(async (req, res) => {
      res.status(200).json({ company: await ingestCompany(accountOf(res).id, req.body, ctx.readyIngest?.() ?? (await ctx.ingest())) });
    })],
    ['companies/batch', 'batch', asyncHandler(async (req, res) => {
      res.status(202).json(await (await ctx.batches()).receive('company', accountOf(res).id, req.body));
    })],
    ['events', 'single', asyncHandler(async (req, res) => {
      res.status(200).json({ event: await ingestEvent(accountOf(res).id, req.body, ctx.readyIngest?.() ?? (await ctx.ingest())) });
    })],
  ];
  // The secret-in-path forms first: they are the common case, and each layer before a route costs
  // its requests a path match. No path matches both forms (a secret-less path ends in the kind or
  // in `/batch` after it, and every secret-in-path pattern has the secret before the kind), so the
  // order changes no answer: `/v3/observe/hooks/profiles/batch` is the secret-less batch route.
  for (const [path, kind, handler] of routes) router.post(`/v3/observe/hooks/:account_secret/${path}`, ...body(kind, true), handler);
  for (const [path, kind, handler] of routes) router.post(`/v3/observe/hooks/${path}`, ...body(kind, false), handler);

  // A batch's state and progress: the secret in a header or parameter, or in the path as for the data-in routes.
  const showBatch = asyncHandler(async (req, res) => {
    res.status(200).json({ batch: await (await ctx.batches()).find(accountOf(res).id, String(req.params.id)) });
  });
  router.get('/v3/observe/batches/:id', requireAccount(ctx), ...limit, showBatch);
  router.get('/v3/observe/hooks/:account_secret/batches/:id', requireAccount(ctx), ...limit, showBatch);
}
