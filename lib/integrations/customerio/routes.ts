/**
 * The Customer.io integration API, authenticated like `/v3/edit/webhooks` (the account secret):
 * `PUT|GET|DELETE /v3/edit/integrations/customerio`, its deliveries (`GET …/deliveries`, same
 * shape and paging as an endpoint's) and `POST …/replay`. Manual retry is the common
 * `POST /v3/edit/deliveries/:id/retry`.
 */
import type { Router } from 'express';
import { asyncHandler } from '../../http/async-handler.js';
import { accountOf, requireAccount } from '../../http/auth.js';
import { jsonBody } from '../../http/json-body.js';
import { nextCursor, parsePage } from '../../http/pagination.js';
import type { RouteContext } from '../../http/route-context.js';
import { ChameleonError } from '../../errors.js';
import { parseSince } from '../../admin/parse-since.js';
import { deliveryJson, type DeliveryState } from '../../delivery/deliveries/documents.js';
import type { DeliveryEngine } from '../../delivery/engine.js';
import { customerioJson } from './documents.js';
import { replayToCustomerio } from './replay.js';
import { notConnected, type CustomerioService } from './service.js';

const DELIVERY_STATES: ReadonlySet<string> = new Set(['pending', 'succeeded', 'failed', 'cancelled', 'skipped']);

/** The path of the integration. */
export const CUSTOMERIO_PATH = '/v3/edit/integrations/customerio';

/** Adds the Customer.io integration routes; `service` and `delivery` resolve once the package is ready. */
export function mountCustomerioRoutes(router: Router, ctx: RouteContext, service: () => Promise<CustomerioService>, delivery: () => Promise<DeliveryEngine>): void {
  const auth = requireAccount(ctx, { beforeBody: true });
  const authAfterBody = [requireAccount(ctx), ctx.rateLimit];
  const body = jsonBody({ limitBytes: 64 * 1024, tooLargeMessage: 'The request body must be less than 64kb' });

  router.put(CUSTOMERIO_PATH, auth, body, authAfterBody, asyncHandler(async (req, res) => {
    const doc = await (await service()).set(accountOf(res).id, req.body);
    res.json({ integration: customerioJson(doc) });
  }));

  router.get(CUSTOMERIO_PATH, auth, authAfterBody, asyncHandler(async (_req, res) => {
    const doc = await (await service()).get(accountOf(res).id);
    if (!doc) throw notConnected();
    res.json({ integration: customerioJson(doc) });
  }));

  router.delete(CUSTOMERIO_PATH, auth, authAfterBody, asyncHandler(async (_req, res) => {
    const doc = await (await service()).delete(accountOf(res).id);
    res.json({ integration: customerioJson(doc) });
  }));

  router.get(`${CUSTOMERIO_PATH}/deliveries`, auth, authAfterBody, asyncHandler(async (req, res) => {
    const account = accountOf(res).id;
    const doc = await (await service()).get(account);
    if (!doc) throw notConnected();
    const query = req.query as Record<string, unknown>;
    const page = parsePage(query, 'created_at');
    if (query.state !== undefined && (typeof query.state !== 'string' || !DELIVERY_STATES.has(query.state))) {
      throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`state` must be one of pending, succeeded, failed, cancelled or skipped');
    }
    const docs = await (await delivery()).deliveries.listFor(doc._id, account, { cursor: page.filter, limit: page.limit, state: query.state as DeliveryState | undefined });
    res.json({ deliveries: docs.map(deliveryJson), cursor: { limit: page.limit, before: nextCursor(docs, page.limit, 'created_at') } });
  }));

  router.post(`${CUSTOMERIO_PATH}/replay`, auth, body, authAfterBody, asyncHandler(async (req, res) => {
    const since = parseSince((req.body as Record<string, unknown>).since, ctx.config.delivery.retentionMs);
    const result = await replayToCustomerio(await service(), await delivery(), accountOf(res), since);
    res.status(202).json({ replay: { since: since.toISOString(), deliveries: result.deliveries } });
  }));
}
