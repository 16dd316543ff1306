/**
 * Helpers for the data-out integration tests: the test app with fast delivery options, receivers
 * closed after the file, publishing fixtures, polling, endpoint creation through the API (waiting
 * for its creation ping), and reading what receivers and the database saw.
 */
import request from 'supertest';
import { ObjectId } from 'mongodb';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Express } from 'express';
import type { Collection, Db } from 'mongodb';
import { ACCOUNT, OTHER_ACCOUNT, createTestApp, type TestApp } from '../../helpers/app.js';
import { startReceiver, type Receiver, type ReceivedRequest } from '../../helpers/receiver.js';
import type { ChameleonHooks, DeliveryOptions, Options, PublishResult } from '../../../lib/index.js';
import type { DeliveryDoc, WebhookDoc } from '../../../lib/delivery/deliveries/documents.js';
import type { EndpointDoc } from '../../../lib/delivery/endpoints/documents.js';
import { loadFixture } from '../../unit/topics/topic-fixtures.js';
import type { Topic } from '../../../lib/topics/index.js';
import { until } from '../../helpers/until.js';

/** The management API's authentication header for {@link ACCOUNT}. */
export const AUTH = { 'X-Account-Secret': ACCOUNT.secret };

/** The management API's authentication header for {@link OTHER_ACCOUNT}. */
export const OTHER_AUTH = { 'X-Account-Secret': OTHER_ACCOUNT.secret };

/** Delivery options for loopback receivers with short, deterministic timings. */
export function fastDelivery(overrides: DeliveryOptions = {}): DeliveryOptions {
  return {
    allowHttp: true,
    allowPrivateNetworks: true,
    retrySchedule: [200, 400],
    jitter: 0,
    timeoutMs: 1000,
    pollIntervalMs: 50,
    sweepIntervalMs: 200,
    ...overrides,
  };
}

/** How {@link useDeliveryApp} sets up its app. */
export interface DeliveryAppSetup {
  /** Options of the package besides `delivery` (`limits`, `flushIntervalMs`, …). */
  options?: Omit<Partial<Options>, 'delivery'>;
  /** Delete every endpoint of these accounts (by their auth headers) after each test. @defaultValue none */
  deleteEndpointsAfterEach?: ReadonlyArray<Record<string, string>>;
}

/**
 * Creates, in `beforeAll` of the enclosing suite, a test app whose delivery options are
 * {@link fastDelivery} with `delivery` (options, or a function resolving to them, e.g. once a
 * certificate exists), and optionally deletes endpoints after each test. The returned object
 * reads the app once it exists, so tests use it as a {@link TestApp}.
 */
export function useDeliveryApp(delivery: DeliveryOptions | (() => Promise<DeliveryOptions>) = {}, setup: DeliveryAppSetup = {}): TestApp {
  let current: TestApp | undefined;
  beforeAll(async () => {
    const overrides = typeof delivery === 'function' ? await delivery() : delivery;
    current = await createTestApp({ ...setup.options, delivery: fastDelivery(overrides) });
  });
  const auths = setup.deleteEndpointsAfterEach ?? [];
  if (auths.length > 0) {
    afterEach(async () => {
      for (const auth of auths) await deleteAllEndpoints(app().app, auth);
    });
  }
  const app = (): TestApp => {
    if (!current) throw new Error('the test app is created in beforeAll');
    return current;
  };
  return {
    get app() {
      return app().app;
    },
    get hooks() {
      return app().hooks;
    },
    get db() {
      return app().db;
    },
  };
}

/**
 * Returns a function that starts a receiver (as {@link startReceiver}) and closes every receiver
 * it started after all tests of the enclosing suite. Call it at the top level of a test file.
 */
export function useReceivers(): (...args: Parameters<typeof startReceiver>) => Promise<Receiver> {
  const started: Receiver[] = [];
  afterAll(async () => {
    await Promise.all(started.map((r) => r.close()));
  });
  return async (...args) => {
    const receiver = await startReceiver(...args);
    started.push(receiver);
    return receiver;
  };
}

/** Publishes a topic's example data (with `experienceId` when given) for `account` (default {@link ACCOUNT}). */
export function publishFixture(
  hooks: ChameleonHooks,
  topic: Topic = 'tour.started',
  options: { experienceId?: string; account?: string } = {},
): Promise<PublishResult> {
  return hooks.publish(options.account ?? ACCOUNT.id, topic, topicData(topic, options.experienceId) as never);
}


export { until };

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A received request's JSON body. */
export function bodyOf(req: ReceivedRequest): { id: string; kind: string; sent_at: string; data: Record<string, unknown> } {
  return JSON.parse(req.body.toString('utf8')) as { id: string; kind: string; sent_at: string; data: Record<string, unknown> };
}

/** The requests a receiver got for webhook `id` (the `X-Chameleon-Id` header). */
export function requestsFor(receiver: Receiver, id: string): ReceivedRequest[] {
  return receiver.requests.filter((r) => r.headers['x-chameleon-id'] === id);
}

/** The requests a receiver got that are not pings. */
export function nonPings(receiver: Receiver): ReceivedRequest[] {
  return receiver.requests.filter((r) => bodyOf(r).kind !== 'ping');
}

/** The example data of a topic, with the experience id replaced when given. */
export function topicData(topic: Topic, experienceId?: string): Record<string, unknown> {
  const data = loadFixture(topic).data;
  if (experienceId !== undefined) {
    const model = topic.split('.')[0]!;
    (data[model] as { id: string }).id = experienceId;
  }
  return data;
}

/** The package's collections in the test database (default prefix). */
export function collections(db: Db): {
  endpoints: Collection<EndpointDoc>;
  webhooks: Collection<WebhookDoc>;
  deliveries: Collection<DeliveryDoc>;
} {
  return {
    endpoints: db.collection<EndpointDoc>('chameleon_endpoints'),
    webhooks: db.collection<WebhookDoc>('chameleon_webhooks'),
    deliveries: db.collection<DeliveryDoc>('chameleon_deliveries'),
  };
}

/** The endpoint JSON the API answers. */
export interface EndpointJson {
  id: string;
  uid: string;
  name: string;
  topics: string[];
  experience_ids: string[];
  state: 'enabled' | 'disabled';
  disabled_reason: string | null;
  last_item_at: string | null;
  last_item_state: 'valid' | 'error' | null;
  last_item_error: string | null;
  health?: { status: string; attempts: number; success_rate: number | null; latency_ms: { p50: number | null; p95: number | null; avg: number | null } };
  [key: string]: unknown;
}

/**
 * Creates an endpoint through the API as {@link ACCOUNT} (or with `auth`) and waits until the
 * ping sent on creation has concluded, so later assertions see only what the test sends.
 */
export async function createEndpoint(
  app: Express,
  db: Db,
  body: Record<string, unknown>,
  auth: Record<string, string> = AUTH,
): Promise<EndpointJson> {
  const res = await request(app).post('/v3/edit/webhooks').set(auth).send(body);
  if (res.status !== 201) throw new Error(`creating the endpoint answered ${res.status}: ${JSON.stringify(res.body)}`);
  const endpoint = res.body.webhook as EndpointJson;
  const { deliveries } = collections(db);
  await until(
    () => deliveries.findOne({ endpoint_id: new ObjectId(endpoint.id), topic: 'ping', state: { $ne: 'pending' } }),
    10_000,
    'the creation ping',
  );
  return endpoint;
}

/** Polls the API until the endpoint shows as disabled, and returns it as the API shows it. */
export function disabledEndpoint(app: Express, endpointId: string, auth: Record<string, string> = AUTH): Promise<EndpointJson> {
  return until(async () => {
    const res = await request(app).get(`/v3/edit/webhooks/${endpointId}`).set(auth).expect(200);
    return res.body.webhook.state === 'disabled' ? (res.body.webhook as EndpointJson) : undefined;
  }, 10_000, 'the endpoint disabled');
}

/** Deletes every endpoint of the account behind `auth`. */
export async function deleteAllEndpoints(app: Express, auth: Record<string, string> = AUTH): Promise<void> {
  const list = await request(app).get('/v3/edit/webhooks').set(auth).expect(200);
  for (const e of list.body.webhooks as EndpointJson[]) await request(app).delete(`/v3/edit/webhooks/${e.id}`).set(auth).expect(200);
}

/** The delivery of webhook `webhookId` to endpoint `endpointId`, from the database. */
export function deliveryOf(db: Db, webhookId: string, endpointId: string): Promise<DeliveryDoc | null> {
  return collections(db).deliveries.findOne({ webhook_id: new ObjectId(webhookId), endpoint_id: new ObjectId(endpointId) });
}

/** Waits until the delivery of `webhookId` to `endpointId` exists and satisfies `test`, and returns it. */
export function deliveryWhen(
  db: Db,
  webhookId: string,
  endpointId: string,
  test: (doc: DeliveryDoc) => boolean,
  timeoutMs = 10_000,
  what = 'delivery condition',
): Promise<DeliveryDoc> {
  return until(async () => {
    const doc = await deliveryOf(db, webhookId, endpointId);
    return doc && test(doc) ? doc : undefined;
  }, timeoutMs, what);
}

/** Waits until the delivery of `webhookId` to `endpointId` is in `state`, and returns it. */
export function deliveryInState(db: Db, webhookId: string, endpointId: string, state: DeliveryDoc['state'], timeoutMs = 10_000): Promise<DeliveryDoc> {
  return deliveryWhen(db, webhookId, endpointId, (doc) => doc.state === state, timeoutMs, `delivery ${state}`);
}
