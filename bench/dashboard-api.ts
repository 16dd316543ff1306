/**
 * (i) The dashboard's JSON API with 100,000 deliveries (20,000 webhooks fanned out to 5
 * endpoints, a month of history, every state) and 10,000 profiles stored: every API call the
 * pages make, timed one at a time after a warm-up, against a bare Express JSON route served by
 * the same process in the same run. The data is written straight into the package's
 * collections with the driver (documents shaped by the package's own `newDelivery`/`newEndpoint`).
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MongoClient, ObjectId, type Document } from 'mongodb';
import { chameleonHooks, type ChameleonHooks } from '../lib/index.js';
import { newDelivery } from '../lib/delivery/deliveries/delivery-fields.js';
import { newEndpoint } from '../lib/delivery/endpoints/endpoints-repo.js';
import type { DeliveryDoc } from '../lib/delivery/deliveries/documents.js';
import { LATENCY_SAMPLES } from '../lib/delivery/deliveries/delivery-stats.js';
import { fmt, percentile, sleep } from './lib/stats.js';
import type { Benchmark, BenchContext, Section } from './lib/types.js';

const ACCOUNT = { id: 'bench', name: 'Bench', secret: 'acct_bench_secret_0123456789', webhookSecret: 'whsec_bench_secret_0123456789' };
const GOAL_MS = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Settings {
  webhooks: number;
  endpoints: number;
  profiles: number;
  events: number;
  runs: number;
  chunk: number;
}

const FULL: Settings = { webhooks: 20_000, endpoints: 5, profiles: 10_000, events: 10_000, runs: 30, chunk: 5_000 };
const QUICK: Settings = { webhooks: 2_000, endpoints: 5, profiles: 1_000, events: 1_000, runs: 5, chunk: 2_000 };

let idCounter = 0;
/** A unique ObjectId whose time is `at` (the ids of documents made "in the past"). */
function idAt(at: Date): ObjectId {
  return new ObjectId(Math.floor(at.getTime() / 1000).toString(16).padStart(8, '0') + (idCounter++).toString(16).padStart(16, '0'));
}

async function insertChunked(collection: { insertMany(docs: Document[], o: { ordered: boolean }): Promise<unknown> }, docs: Document[], chunk: number): Promise<void> {
  for (let i = 0; i < docs.length; i += chunk) await collection.insertMany(docs.slice(i, i + chunk), { ordered: false });
}

/** Writes the data set; returns ids the detail calls use. */
async function seed(uri: string, dbName: string, s: Settings, log: (m: string) => void): Promise<{ endpointId: string; deliveryId: string }> {
  const client = new MongoClient(uri);
  await client.connect();
  try {
    const db = client.db(dbName);
    const now = Date.now();
    const endpoints = Array.from({ length: s.endpoints }, (_, i) =>
      newEndpoint({ account: ACCOUNT.id, slot: i, url: `https://receiver-${i}.example.com/hooks`, name: `Receiver ${i}`, topics: ['tour.started', 'tour.completed', 'ping'] }, new Date(now - 40 * DAY_MS)),
    );
    await db.collection('chameleon_endpoints').insertMany(endpoints);
    const webhooks: Document[] = [];
    const deliveries: DeliveryDoc[] = [];
    const states = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'pending'] as const;
    for (let w = 0; w < s.webhooks; w++) {
      const at = new Date(now - Math.floor((w / s.webhooks) * 30 * DAY_MS));
      const id = idAt(at);
      const topic = w % 2 === 0 ? 'tour.started' : 'tour.completed';
      webhooks.push({ _id: id, account: ACCOUNT.id, topic, data: { tour: { id: `t${w % 50}`, name: `Tour ${w % 50}` }, profile: { uid: `u${w % s.profiles}` } }, created_at: at });
      for (const endpoint of endpoints) {
        const d = newDelivery({ account: ACCOUNT.id, webhookId: id, destination: { kind: 'endpoint', id: endpoint._id }, topic, maxAttempts: 10, trigger: 'publish' }, at, 8000, false);
        const state = states[(w + deliveries.length) % states.length]!;
        d._id = idAt(at);
        d.state = state;
        d.attempts = state === 'pending' ? 2 : 1;
        d.attempt_log = [{ at, duration_ms: 40 + (w % 200), status: state === 'succeeded' ? 200 : 500, response_body: state === 'succeeded' ? 'ok' : 'upstream error', error: state === 'succeeded' ? null : 'HTTP 500', error_kind: state === 'succeeded' ? null : 'status', trigger: 'publish', by: 'bench-1' }];
        d.last_status = d.attempt_log[0]!.status;
        d.last_error = d.attempt_log[0]!.error;
        d.next_attempt_at = state === 'pending' ? new Date(now + DAY_MS) : null;
        d.completed_at = state === 'pending' ? null : at;
        d.updated_at = at;
        deliveries.push(d);
      }
    }
    log(`  seeding ${fmt(webhooks.length)} webhooks, ${fmt(deliveries.length)} deliveries, ${fmt(s.profiles)} profiles, ${fmt(s.events)} events…`);
    await insertChunked(db.collection('chameleon_webhooks'), webhooks, s.chunk);
    await insertChunked(db.collection('chameleon_deliveries'), deliveries, s.chunk);
    // The hourly outcome counts the engine keeps as attempts finish (the overview's charts).
    const counts = new Map<string, Document>();
    for (const d of deliveries) {
      const hour = Math.floor(d.created_at.getTime() / 3_600_000) * 3_600_000;
      const key = `${ACCOUNT.id}|${hour}`;
      const c = counts.get(key) ?? { key, account: ACCOUNT.id, hour: new Date(hour), succeeded: 0, retrying: 0, failed: 0 };
      c[d.state === 'pending' ? 'retrying' : d.state] += 1;
      counts.set(key, c);
    }
    await insertChunked(db.collection('chameleon_delivery_counts'), [...counts.values()], s.chunk);
    // The hourly health statistics it keeps per destination (the endpoints' health), from the same attempts.
    const health = new Map<string, Document>();
    for (const d of deliveries) {
      for (const a of d.attempt_log) {
        const hour = Math.floor(a.at.getTime() / 3_600_000) * 3_600_000;
        const key = `${d.endpoint_id.toHexString()}|${hour}`;
        const h = health.get(key) ?? { key, destination: d.endpoint_id, hour: new Date(hour), attempts: 0, failed: 0, ok_ms_sum: 0, ok_ms: [], last: null, last_failure: null };
        const failed = a.error !== null;
        h.attempts += 1;
        if (failed) {
          h.failed += 1;
          if (!h.last_failure || h.last_failure.at <= a.at) h.last_failure = { at: a.at, error: a.error };
        } else {
          h.ok_ms_sum += a.duration_ms;
          h.ok_ms = [...h.ok_ms, a.duration_ms].slice(-LATENCY_SAMPLES);
        }
        if (!h.last || h.last.at <= a.at) h.last = { at: a.at, failed };
        health.set(key, h);
      }
    }
    await insertChunked(db.collection('chameleon_destination_stats'), [...health.values()], s.chunk);
    const profiles = Array.from({ length: s.profiles }, (_, i) => {
      const at = new Date(now - i * 60_000);
      return { _id: idAt(at), account: ACCOUNT.id, uid: `u${i}`, uid_key: `${ACCOUNT.id}|u${i}`, props: { plan: i % 3 === 0 ? 'gold' : 'silver', seats: i % 40 }, created_at: at, updated_at: at };
    });
    await insertChunked(db.collection('chameleon_profiles'), profiles, s.chunk);
    const events = Array.from({ length: s.events }, (_, i) => ({
      _id: new ObjectId(), account: ACCOUNT.id, profile_id: profiles[i % profiles.length]!._id, name: `event_${i % 100}`, display_name: `Event ${i % 100}`, props: { n: i }, created_at: new Date(now - i * 30_000),
    }));
    await insertChunked(db.collection('chameleon_events'), events, s.chunk);
    const props = Array.from({ length: 300 }, (_, i) => ({ key: `${ACCOUNT.id}|profile|prop_${String(i).padStart(3, '0')}`, account: ACCOUNT.id, kind: 'profile', prop: `prop_${String(i).padStart(3, '0')}`, types: ['string'], values: ['a', 'b'], count: i, first_seen_at: new Date(now), last_seen_at: new Date(now) }));
    await db.collection('chameleon_properties').insertMany(props);
    const names = Array.from({ length: 100 }, (_, i) => ({ key: `${ACCOUNT.id}|event_${i}`, account: ACCOUNT.id, uid: `event_${i}`, name: `Event ${i}`, count: 100, first_seen_at: new Date(now), last_seen_at: new Date(now) }));
    await db.collection('chameleon_event_names').insertMany(names);
    return { endpointId: endpoints[0]!._id.toHexString(), deliveryId: deliveries[deliveries.length - 1]!._id.toHexString() };
  } finally {
    await client.close();
  }
}

async function time(url: string, runs: number): Promise<number[]> {
  const headers = { accept: 'application/json' };
  for (let i = 0; i < 3; i++) {
    const res = await fetch(url, { headers });
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    await res.arrayBuffer();
  }
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    ms.push(performance.now() - t0);
    await sleep(5);
  }
  return ms;
}

async function run(ctx: BenchContext): Promise<Section> {
  const s = ctx.quick ? QUICK : FULL;
  const dbName = ctx.db.freshName('dashboard');
  let hooks: ChameleonHooks | undefined;
  let server: Server | undefined;
  try {
    // Indexes first (as ready() makes them), then the data.
    hooks = chameleonHooks({ mongo: { uri: ctx.db.uri, dbName }, accounts: [ACCOUNT], delivery: { sweepIntervalMs: 600_000 } });
    await hooks.ready();
    const ids = await seed(ctx.db.uri, dbName, s, ctx.log);
    const app = express();
    app.use('/dash', hooks.dashboard({ authorize: () => ({ accountId: ACCOUNT.id, role: 'admin' }) }));
    const bareClient = new MongoClient(ctx.db.uri);
    await bareClient.connect();
    const bareEndpoints = bareClient.db(dbName).collection('chameleon_endpoints');
    app.get('/bare', async (_req, res) => {
      res.json({ endpoints: await bareEndpoints.find({ account: ACCOUNT.id }).limit(5).toArray() });
    });
    server = await new Promise<Server>((resolve) => {
      const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const from = new Date(Date.now() - 2 * DAY_MS).toISOString();
    const calls: Array<[string, string]> = [
      ['bare route: find 5 endpoints (baseline)', '/bare'],
      ['session', '/dash/api/session'],
      ['overview (24 h and 7 days, backlog, ingest counts, destinations)', '/dash/api/overview'],
      ['endpoints (with 24 h health)', '/dash/api/endpoints'],
      ['one endpoint', `/dash/api/endpoints/${ids.endpointId}`],
      ['destinations', '/dash/api/destinations'],
      ['deliveries, newest page', '/dash/api/deliveries'],
      ['deliveries, one endpoint, failed', `/dash/api/deliveries?destination=${ids.endpointId}&state=failed`],
      ['deliveries, retrying, last 2 days', `/dash/api/deliveries?state=retrying&from=${encodeURIComponent(from)}`],
      ['deliveries, one topic', '/dash/api/deliveries?topic=tour.completed'],
      ['one delivery (request and attempts)', `/dash/api/deliveries/${ids.deliveryId}`],
      ['properties', '/dash/api/properties?kind=profile'],
      ['data warnings', '/dash/api/warnings?kind=profile'],
      ['event names', '/dash/api/event-names'],
      ['activity: profiles', '/dash/api/activity/profiles'],
      ['activity: events', '/dash/api/activity/events'],
      ['activity: published webhooks', '/dash/api/activity/webhooks'],
      ['integrations', '/dash/api/integrations/customerio'],
    ];
    const rows: string[][] = [];
    const raw: Record<string, number[]> = {};
    let worst = 0;
    let worstName = '';
    for (const [name, path] of calls) {
      ctx.log(`  ${name}`);
      const ms = await time(base + path, s.runs);
      raw[name] = ms;
      const p95 = percentile(ms, 95);
      if (path.startsWith('/dash') && p95 > worst) {
        worst = p95;
        worstName = name;
      }
      rows.push([name, `\`GET ${path.replace(/^\/dash/, '{mount}').replace(/[0-9a-f]{24}/g, ':id').replace(/from=[^&]+/, 'from=…')}\``, fmt(percentile(ms, 50), 1), fmt(p95, 1), fmt(Math.max(...ms), 1)]);
    }
    await bareClient.close();
    return {
      method: [
        `${fmt(s.webhooks * s.endpoints)} deliveries (${fmt(s.webhooks)} webhooks × ${s.endpoints} endpoints over 30 days: succeeded, failed and pending), ${fmt(s.profiles)} profiles, ${fmt(s.events)} events, 300 properties and 100 event names in one account, written with the driver after \`ready()\` built the indexes.`,
        `Each call the dashboard pages make is sent ${s.runs} times one after another (after 3 warm-up calls) to the dashboard mounted in an Express app in this process, with an \`authorize\` that grants admin; the baseline is a bare Express route in the same app that reads 5 documents.`,
      ].join(' '),
      tables: [{ caption: 'Dashboard API latency (ms)', headers: ['call', 'request', 'p50', 'p95', 'max'], rows }],
      goals: [{ goal: `every dashboard API call ≤ ${GOAL_MS} ms (p95) with ${fmt(s.webhooks * s.endpoints)} deliveries and ${fmt(s.profiles)} profiles`, met: worst <= GOAL_MS, measured: `slowest p95: ${fmt(worst, 1)} ms (${worstName})` }],
      notes: [],
      raw: { settings: s, ms: raw },
    };
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await hooks?.close().catch(() => undefined);
    await ctx.db.drop(dbName);
  }
}

/** The dashboard API benchmark. */
export const dashboardApi: Benchmark = { name: 'dashboard-api', title: '(i) Dashboard API at 100,000 deliveries and 10,000 profiles', run };
