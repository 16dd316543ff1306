/**
 * Integrations: the account's Customer.io connection (state, last error, masked keys, toggles,
 * the reporting-webhook URL) and `PATCH integrations/customerio` for the step-seen and previews
 * toggles. A toggle goes through the integration service's own `set` (the same validation as
 * the API), with the stored settings and secrets kept. `POST integrations/customerio/replay`
 * resends activity since a time, through the same function as the edit API's replay.
 */
import type { Router } from 'express';
import { ChameleonError } from '../../errors.js';
import { asyncHandler } from '../../http/async-handler.js';
import { customerioJson, type CustomerioDoc } from '../../integrations/customerio/documents.js';
import { notConnected } from '../../integrations/customerio/service.js';
import { replayToCustomerio } from '../../integrations/customerio/replay.js';
import { parseSince } from '../../admin/parse-since.js';
import { accessOf } from '../access.js';
import type { DashboardDeps } from '../deps.js';

const TOGGLES = ['step_seen', 'previews'] as const;

/** The path (under the package's mount) where Customer.io posts its reporting webhooks. */
const REPORTING_PATH = '/v3/observe/hooks/<account secret>/customerio';

function view(doc: CustomerioDoc | null, deps: DashboardDeps): Record<string, unknown> {
  return {
    connected: doc !== null,
    integration: doc ? customerioJson(doc) : null,
    reporting_webhook_url: `${deps.dashboard.publicUrl ?? ''}${REPORTING_PATH}`,
  };
}

/** Adds `GET integrations/customerio`, `PATCH integrations/customerio` and `POST integrations/customerio/replay`. */
export function mountIntegrationRoutes(api: Router, deps: DashboardDeps): void {
  api.get('/integrations/customerio', asyncHandler(async (_req, res) => {
    const doc = await (await deps.customerio()).get(accessOf(res).account.id);
    res.json(view(doc, deps));
  }));

  api.patch('/integrations/customerio', asyncHandler(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const keys = Object.keys(body);
    if (keys.length === 0 || !keys.every((k) => (TOGGLES as readonly string[]).includes(k))) {
      throw new ChameleonError('CH_ERR_UNPROCESSABLE', 'Only `step_seen` and `previews` can be changed here');
    }
    const service = await deps.customerio();
    const account = accessOf(res).account.id;
    const doc = await service.get(account);
    if (!doc) throw notConnected();
    // The stored settings, secrets left out (kept), with the toggles changed; `set` validates them.
    const { site_id, region, track_url, step_seen, previews, events, identifier, rate_limit } = doc;
    const updated = await service.set(account, { site_id, region, track_url, step_seen, previews, events, identifier, rate_limit, ...body });
    res.json(view(updated, deps));
  }));

  api.post('/integrations/customerio/replay', asyncHandler(async (req, res) => {
    const since = parseSince((req.body as Record<string, unknown>).since, deps.ctx.config.delivery.retentionMs);
    const result = await replayToCustomerio(await deps.customerio(), await deps.delivery(), accessOf(res).account, since);
    res.status(202).json({ replay: { since: since.toISOString(), deliveries: result.deliveries } });
  }));
}
