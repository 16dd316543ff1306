/**
 * Endpoints: list with health, one endpoint, create, edit, delete, ping, enable; and the
 * account's signing secret (reveal, rotate). Every action goes through the delivery engine or
 * the account store, exactly as the HTTP API and the `hooks.*` methods do.
 */
import type { Router } from 'express';
import { ChameleonError } from '../../errors.js';
import { asyncHandler } from '../../http/async-handler.js';
import { endpointJson, pingJson } from '../../delivery/endpoints/documents.js';
import { TOPICS } from '../../topics/index.js';
import { standardSecret } from '../../signature/standard-webhooks.js';
import { accessOf } from '../access.js';
import type { DashboardDeps } from '../deps.js';

const HOUR_MS = 60 * 60 * 1000;

/** Adds the endpoint routes and `POST secret/reveal`, `POST secret/rotate`. */
export function mountEndpointRoutes(api: Router, deps: DashboardDeps): void {
  api.get('/endpoints', asyncHandler(async (_req, res) => {
    const engine = await deps.delivery();
    const docs = await engine.endpoints.list(accessOf(res).account.id);
    // One query for the health of every endpoint listed.
    const healths = await engine.healths(docs.map((d) => d._id));
    res.json({ endpoints: docs.map((d) => endpointJson(d, healths.get(d._id.toHexString()))), topics: TOPICS });
  }));

  api.get('/endpoints/:id', asyncHandler(async (req, res) => {
    const engine = await deps.delivery();
    const doc = await engine.endpoints.get(accessOf(res).account.id, String(req.params.id));
    res.json({ endpoint: endpointJson(doc, await engine.health(doc._id)), topics: TOPICS });
  }));

  api.post('/endpoints', asyncHandler(async (req, res) => {
    const engine = await deps.delivery();
    const { account } = accessOf(res);
    const doc = await engine.endpoints.create(account.id, req.body as Record<string, unknown>);
    // As with the HTTP API: every new endpoint gets a ping, whose result shows in its health.
    void engine.ping(account, doc._id.toHexString()).catch(() => undefined);
    res.status(201).json({ endpoint: endpointJson(doc) });
  }));

  api.patch('/endpoints/:id', asyncHandler(async (req, res) => {
    const engine = await deps.delivery();
    const doc = await engine.endpoints.update(accessOf(res).account.id, String(req.params.id), req.body as Record<string, unknown>);
    res.json({ endpoint: endpointJson(doc, await engine.health(doc._id)) });
  }));

  api.delete('/endpoints/:id', asyncHandler(async (req, res) => {
    const engine = await deps.delivery();
    const doc = await engine.deleteEndpoint(accessOf(res).account, String(req.params.id));
    res.json({ endpoint: endpointJson(doc) });
  }));

  api.post('/endpoints/:id/ping', asyncHandler(async (req, res) => {
    const engine = await deps.delivery();
    const { account } = accessOf(res);
    const { webhook_id, report } = await engine.ping(account, String(req.params.id));
    await engine.flushStats();
    res.json({
      ping: pingJson(webhook_id, report),
    });
  }));

  api.post('/endpoints/:id/enable', asyncHandler(async (req, res) => {
    const engine = await deps.delivery();
    const { account } = accessOf(res);
    const doc = await engine.endpoints.get(account.id, String(req.params.id));
    await engine.endpoints.enable(doc._id);
    const after = await engine.endpoints.get(account.id, String(req.params.id));
    res.json({ endpoint: endpointJson(after, await engine.health(after._id)) });
  }));

  api.post('/secret/reveal', asyncHandler(async (_req, res) => {
    const { account } = accessOf(res);
    const now = new Date();
    res.json(secretAnswer(account.webhookSecret, account.previousWebhookSecrets, now));
  }));

  api.post('/secret/rotate', asyncHandler(async (req, res) => {
    const hours = (req.body as Record<string, unknown>).grace_hours;
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0 || hours > 30 * 24) {
      throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`grace_hours` must be a number of hours from 0 to 720');
    }
    const { account } = accessOf(res);
    const store = await deps.ctx.accounts();
    const secret = await store.rotateWebhookSecret(account.id, Math.round(hours * HOUR_MS));
    const now = new Date();
    const fresh = await store.findById(account.id);
    res.json(secretAnswer(secret, fresh?.previousWebhookSecrets ?? [], now));
  }));
}

/**
 * The signing secret as the dashboard shows it: the secret, its Standard Webhooks form (what
 * receivers of `signature: standard | both` endpoints pass to `new Webhook(…)`), and the previous
 * secrets still signing during a rotation, each in both forms.
 */
function secretAnswer(secret: string, previous: ReadonlyArray<{ secret: string; until: Date }>, now: Date) {
  return {
    secret,
    standard_webhooks_secret: standardSecret(secret),
    previous: previous
      .filter((p) => p.until > now)
      .map((p) => ({ secret: p.secret, standard_webhooks_secret: standardSecret(p.secret), until: p.until.toISOString() })),
  };
}
