/**
 * The bare durable loop: the minimum durable work per message, inline. Insert one delivery
 * document (with the payload, so it could be retried) into its own collection, sign the body
 * (hex HMAC-SHA256, like the package), POST it with a 7 s timeout through undici `request` on
 * a keep-alive `Agent` (the package's HTTP client), then mark the document done (`updateOne`).
 * No validation, no fan-out, no retries, no limits. Command: `round` (closed-loop publishers).
 * With `options.mode: 'track'` the request is a Customer.io Track API event instead (`POST
 * {url}api/v1/customers/{uid}/events`, Basic auth, `{name, id, timestamp, data}`), the baseline
 * of the Customer.io benchmark.
 */
import { createHmac } from 'node:crypto';
import { MongoClient, ObjectId } from 'mongodb';
import { Agent, request } from 'undici';
import { BARE_DELIVERIES, closedLoopRun, DELIVERY_ACCOUNT, PUBLISH_TOPIC, REQUEST_TIMEOUT_MS, topicData, TRACK_KEY, TRACK_SITE, type PublishOne } from '../lib/delivery.js';
import type { ServerApp, ServerConfig } from './index.js';

/** Starts the bare loop's process (its own client, same pool size as the package's). */
export async function startDeliveryBareApp(config: ServerConfig): Promise<ServerApp> {
  const url = config.options?.url;
  if (typeof url !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error('delivery-bare needs options.url on 127.0.0.1');
  const client = new MongoClient(config.uri, { maxPoolSize: 50 });
  await client.connect();
  const collection = client.db(config.dbName).collection(BARE_DELIVERIES);
  const agent = new Agent({ headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS, connect: { timeout: REQUEST_TIMEOUT_MS } });
  const data = topicData(PUBLISH_TOPIC);
  const secret = DELIVERY_ACCOUNT.webhookSecret;

  const track = config.options?.mode === 'track';
  const profile = data.profile as { uid: string; email: string };
  const trackAuth = `Basic ${Buffer.from(`${TRACK_SITE}:${TRACK_KEY}`).toString('base64')}`;
  const webhookRequest = (id: string) => {
    const body = JSON.stringify({ id, kind: PUBLISH_TOPIC, sent_at: new Date().toISOString(), data });
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    return { target: url, body, headers: { 'content-type': 'application/json', accept: 'application/json', 'x-chameleon-id': id, 'x-chameleon-signature': signature } };
  };
  const trackRequest = (id: string, created: Date) => {
    const tour = data.tour as { id: string; name: string };
    const body = JSON.stringify({ name: 'Started Tour (Chameleon)', id, timestamp: Math.floor(created.getTime() / 1000), data: { experience_kind: 'tour', tour_id: tour.id, tour_name: tour.name } });
    const target = `${url}api/v1/customers/${encodeURIComponent(profile.uid)}/events`;
    return { target, body, headers: { 'content-type': 'application/json', accept: 'application/json', authorization: trackAuth, 'x-chameleon-id': id } };
  };

  const publishOne: PublishOne = async () => {
    const _id = new ObjectId();
    const id = _id.toHexString();
    const created = new Date();
    await collection.insertOne({ _id, account: DELIVERY_ACCOUNT.id, topic: PUBLISH_TOPIC, data, state: 'pending', attempts: 1, created_at: created, updated_at: created });
    const { target, body, headers } = track ? trackRequest(id, created) : webhookRequest(id);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await request(target, {
        dispatcher: agent,
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = response.statusCode;
      await response.body.text();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const done = new Date();
    const ok = status !== null && status >= 200 && status < 300;
    await collection.updateOne({ _id }, { $set: { state: ok ? 'succeeded' : 'failed', last_status: status, last_error: error, updated_at: done, completed_at: done } });
    if (!ok) throw new Error(error ?? `HTTP ${status}`);
    return id;
  };

  return {
    listener: (_req, res) => {
      res.statusCode = 404;
      res.end();
    },
    close: async () => {
      await agent.close();
      await client.close();
    },
    commands: { round: (args) => closedLoopRun(publishOne, args as { durationMs: number; concurrency: number }) },
  };
}
