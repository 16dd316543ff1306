/**
 * The endpoints and deliveries API (`/v3/edit/webhooks…`, `/v3/edit/deliveries…`):
 * list/create/delete endpoints, delivery history, ping, replay and manual redelivery.
 */
import type { Router } from 'express';
import { ChameleonError } from '../errors.js';
import { asyncHandler } from '../http/async-handler.js';
import { accountOf, requireAccount } from '../http/auth.js';
import { jsonBody } from '../http/json-body.js';
import { nextCursor, parsePage } from '../http/pagination.js';
import { deliveryJson, type DeliveryState } from '../delivery/deliveries/documents.js';
import { endpointJson, pingJson, type EndpointDoc } from '../delivery/endpoints/documents.js';
import { standardSecret } from '../signature/index.js';
import type { Account } from '../accounts/account-store.js';
import { parseSince } from './parse-since.js';
import type { DeliveryEngine } from '../delivery/engine.js';
import type { RouteContext } from '../http/route-context.js';

const DELIVERY_STATES: ReadonlySet<string> = new Set(['pending', 'sending', 'held', 'succeeded', 'failed', 'cancelled', 'skipped']);

/**
 * An endpoint signed the Standard Webhooks way also shows the account's webhook secret in that
 * format's `whsec_` + base64 form (what `new Webhook(…)` of standardwebhooks or svix takes), to the
 * account that owns it: in the answers of create and of `GET /v3/edit/webhooks/:id`.
 */
function withStandardSecret(json: Record<string, unknown>, doc: EndpointDoc, account: Account): Record<string, unknown> {
  if ((doc.signature ?? 'chameleon') === 'chameleon') return json;
  return { ...json, standard_webhooks_secret: standardSecret(account.webhookSecret) };
}

/** Adds the webhook management routes; `delivery` resolves once the package is ready. */
export function mountWebhookRoutes(router: Router, ctx: RouteContext, delivery: () => Promise<DeliveryEngine>): void {
  const auth = requireAccount(ctx, { beforeBody: true });
  const authAfterBody = [requireAccount(ctx), ctx.rateLimit];
  const body = jsonBody({ limitBytes: 64 * 1024, tooLargeMessage: 'The request body must be less than 64kb' });
  const id = (value: unknown) => String(value);

  router.get('/v3/edit/webhooks', auth, authAfterBody, asyncHandler(async (_req, res) => {
    const service = await delivery();
    const docs = await service.endpoints.list(accountOf(res).id);
    const healths = await service.healths(docs.map((d) => d._id));
    res.json({ webhooks: docs.map((d) => endpointJson(d, healths.get(d._id.toHexString()))) });
  }));

  router.post('/v3/edit/webhooks', auth, body, authAfterBody, asyncHandler(async (req, res) => {
    const service = await delivery();
    const account = accountOf(res);
    const doc = await service.endpoints.create(account.id, req.body as Record<string, unknown>);
    // Every new endpoint gets a ping, as the platform does; its result shows in the endpoint's health.
    void service.ping(account, doc._id.toHexString()).catch(() => undefined);
    res.status(201).json({ webhook: withStandardSecret(endpointJson(doc), doc, account) });
  }));

  router.get('/v3/edit/webhooks/:id', auth, authAfterBody, asyncHandler(async (req, res) => {
    const service = await delivery();
    const doc = await service.endpoints.get(accountOf(res).id, id(req.params.id));
    res.json({ webhook: withStandardSecret(endpointJson(doc, await service.health(doc._id)), doc, accountOf(res)) });
  }));

  router.delete('/v3/edit/webhooks/:id', auth, authAfterBody, asyncHandler(async (req, res) => {
    const doc = await (await delivery()).deleteEndpoint(accountOf(res), id(req.params.id));
    res.json({ webhook: endpointJson(doc) });
  }));

  router.get('/v3/edit/webhooks/:id/deliveries', auth, authAfterBody, asyncHandler(async (req, res) => {
    const service = await delivery();
    const endpoint = await service.endpoints.get(accountOf(res).id, id(req.params.id));
    const query = req.query as Record<string, unknown>;
    const page = parsePage(query, 'created_at');
    if (query.state !== undefined && (typeof query.state !== 'string' || !DELIVERY_STATES.has(query.state))) {
      throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`state` must be one of pending, sending, held, succeeded, failed, cancelled or skipped');
    }
    const docs = await service.listDeliveries({ kind: 'endpoint', id: endpoint._id, account: endpoint.account }, { cursor: page.filter, limit: page.limit, state: query.state as DeliveryState | 'sending' | 'held' | undefined });
    res.json({ deliveries: docs.map((d) => deliveryJson(d)), cursor: { limit: page.limit, before: nextCursor(docs, page.limit, 'created_at') } });
  }));

  router.post('/v3/edit/webhooks/:id/ping', auth, authAfterBody, asyncHandler(async (req, res) => {
    const service = await delivery();
    const account = accountOf(res);
    const { webhook_id, report } = await service.ping(account, id(req.params.id));
    await service.flushStats();
    const doc = await service.endpoints.get(account.id, id(req.params.id));
    res.json({
      ping: pingJson(webhook_id, report),
      webhook: endpointJson(doc, await service.health(doc._id)),
    });
  }));

  router.post('/v3/edit/webhooks/:id/replay', auth, body, authAfterBody, asyncHandler(async (req, res) => {
    const since = parseSince((req.body as Record<string, unknown>).since, ctx.config.delivery.retentionMs);
    const result = await (await delivery()).replay(accountOf(res), id(req.params.id), since);
    res.status(202).json({ replay: { since: since.toISOString(), deliveries: result.deliveries } });
  }));

  router.get('/v3/edit/deliveries/:id', auth, authAfterBody, asyncHandler(async (req, res) => {
    const doc = await (await delivery()).delivery(accountOf(res), id(req.params.id));
    res.json({ delivery: deliveryJson(doc) });
  }));

  router.post('/v3/edit/deliveries/:id/retry', auth, authAfterBody, asyncHandler(async (req, res) => {
    const doc = await (await delivery()).retry(accountOf(res), id(req.params.id));
    res.json({ delivery: deliveryJson(doc) });
  }));
}
