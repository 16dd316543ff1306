/**
 * The Customer.io integration API, authenticated like `/v3/edit/webhooks` (the account secret):
 * `PUT|GET|DELETE /v3/edit/integrations/customerio`.
 */
import type { Router } from 'express';
import { asyncHandler } from '../../http/async-handler.js';
import { accountOf, requireAccount } from '../../http/auth.js';
import { jsonBody } from '../../http/json-body.js';
import type { RouteContext } from '../../http/route-context.js';
import { customerioJson } from './documents.js';
import { notConnected, type CustomerioService } from './service.js';

/** The path of the integration. */
export const CUSTOMERIO_PATH = '/v3/edit/integrations/customerio';

/** Adds the Customer.io integration routes; `service` resolves once the package is ready. */
export function mountCustomerioRoutes(router: Router, ctx: RouteContext, service: () => Promise<CustomerioService>): void {
  const auth = requireAccount(ctx.accounts, { beforeBody: true });
  const authAfterBody = [requireAccount(ctx.accounts), ctx.rateLimit];
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
}
