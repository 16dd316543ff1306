/**
 * Deliveries: the account's deliveries filtered by destination, topic, state, time range or
 * webhook, newest first; one delivery with its request and attempts; retry; replay since a time;
 * and the destinations (endpoints, integrations) the filters offer.
 */
import type { Router } from 'express';
import { ObjectId } from 'mongodb';
import { ChameleonError } from '../../errors.js';
import { asyncHandler } from '../../http/async-handler.js';
import { nextCursor, parsePage } from '../../http/pagination.js';
import { deliveryJson, type DeliveryDoc } from '../../delivery/deliveries/documents.js';
import { buildSignedRequest } from '../../delivery/transport/signed-request.js';
import { signingSecret } from '../../accounts/account-store.js';
import { parseSince } from '../../admin/parse-since.js';
import { TOPICS } from '../../topics/index.js';
import { accessOf } from '../access.js';
import type { DashboardDeps } from '../deps.js';
import { stringParam } from './params.js';
import { listDestinations } from './destinations.js';

const STATES: ReadonlySet<string> = new Set(['pending', 'retrying', 'held', 'succeeded', 'failed', 'cancelled', 'skipped']);

function objectIdParam(query: Record<string, unknown>, name: string): ObjectId | undefined {
  const value = stringParam(query, name);
  if (value === undefined) return undefined;
  if (!/^[0-9a-f]{24}$/i.test(value)) throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`${name}\` must be a 24-hex id`);
  return new ObjectId(value);
}

function dateParam(query: Record<string, unknown>, name: string): Date | undefined {
  const value = stringParam(query, name);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`${name}\` must be an ISO-8601 date`);
  return date;
}

/** The delivery as the dashboard shows it: the API's view plus which destination it belongs to. */
function view(doc: DeliveryDoc): Record<string, unknown> {
  return { ...deliveryJson(doc), destination_id: doc.endpoint_id.toHexString(), destination_kind: doc.destination_kind ?? 'endpoint' };
}

/** Adds `GET destinations`, `GET deliveries`, `GET deliveries/:id`, `POST deliveries/:id/retry`, `POST replay`. */
export function mountDeliveryRoutes(api: Router, deps: DashboardDeps): void {
  api.get('/destinations', asyncHandler(async (_req, res) => {
    res.json({ destinations: await listDestinations(deps, accessOf(res).account.id), topics: TOPICS });
  }));

  api.get('/deliveries', asyncHandler(async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const state = stringParam(query, 'state');
    if (state !== undefined && !STATES.has(state)) throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`state\` must be one of ${[...STATES].join(', ')}`);
    const topic = stringParam(query, 'topic');
    const page = parsePage(query, 'created_at', deps.dashboard.pageSize);
    const engine = await deps.delivery();
    const docs = await engine.deliveryPage(accessOf(res).account.id, {
      destinationId: objectIdParam(query, 'destination'),
      webhookId: objectIdParam(query, 'webhook'),
      topic,
      state: state as Parameters<typeof engine.deliveryPage>[1]['state'],
      from: dateParam(query, 'from'),
      to: dateParam(query, 'to'),
      cursor: page.filter,
      ...(page.time ? { cursorTime: page.time } : {}),
      limit: page.limit,
    });
    res.json({ deliveries: docs.map(view), next: nextCursor(docs, page.limit, 'created_at') });
  }));

  api.get('/deliveries/:id', asyncHandler(async (req, res) => {
    const engine = await deps.delivery();
    const { account } = accessOf(res);
    const doc = await engine.delivery(account, String(req.params.id));
    const [webhook, destinations] = await Promise.all([engine.webhooks.byId(doc.webhook_id), listDestinations(deps, account.id)]);
    const destination = destinations.find((d) => d.id === doc.endpoint_id.toHexString()) ?? null;
    let request = null;
    if (webhook) {
      // The request as the last attempt sent it (or the next one will): the same builder the transport uses.
      const at = doc.attempt_log.at(-1)?.at ?? new Date();
      const signed = buildSignedRequest(webhook._id.toHexString(), webhook.topic, webhook.data, signingSecret(account, at), at);
      const headers = { ...signed.headers, 'user-agent': deps.ctx.config.delivery.userAgent };
      request = destination?.kind === 'endpoint' || destination === null
        ? { url: destination?.url ?? null, headers, body: JSON.stringify(JSON.parse(signed.body), null, 2) }
        : { url: doc.attempt_log.at(-1)?.request?.url ?? null, headers: {}, body: JSON.stringify(webhook.data, null, 2) };
    }
    res.json({ delivery: view(doc), destination, request });
  }));

  api.post('/deliveries/:id/retry', asyncHandler(async (req, res) => {
    const engine = await deps.delivery();
    const doc = await engine.retry(accessOf(res).account, String(req.params.id));
    res.json({ delivery: view(doc) });
  }));

  api.post('/replay', asyncHandler(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    if (typeof body.endpoint !== 'string') throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`endpoint` is required: the endpoint to replay to');
    const since = parseSince(body.since, deps.ctx.config.delivery.retentionMs);
    const result = await (await deps.delivery()).replay(accessOf(res).account, body.endpoint, since);
    res.status(202).json({ replay: { since: since.toISOString(), deliveries: result.deliveries } });
  }));
}
