/**
 * (e) The package with 100,000 deliveries pending (not due): the due drain's query, fresh
 * publishes meanwhile, the host process's memory, the steady-state publish → receipt rate, and
 * the drain once the WHOLE backlog falls due at once, against that steady-state rate, with
 * fresh publishes meanwhile. The backlog is written straight into the package's collections
 * with the driver (documents shaped by `newDelivery`), then a package host process is started
 * on that database.
 */
import os from 'node:os';
import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { newDelivery } from '../lib/delivery/deliveries/delivery-fields.js';
import { newEndpoint } from '../lib/delivery/endpoints/endpoints-repo.js';
import { leaseFor } from '../lib/delivery/engine.js';
import { DUE_PAGE } from '../lib/delivery/background/due-drainer.js';
import { DEFAULTS } from '../lib/options.js';
import type { DeliveryDoc, WebhookDoc } from '../lib/delivery/deliveries/documents.js';
import type { EndpointDoc } from '../lib/delivery/endpoints/documents.js';
import { startServer, type ServerProcess } from './lib/server-process.js';
import { arrivals, BACKLOG_TOPIC, defaultsText, DELIVERY_ACCOUNT, PUBLISH_TOPIC, ReceiptLog, spread, topicData, wallNow, type Arrivals, type PublishRun } from './lib/delivery.js';
import { fmt, fmtMB, median, sleep } from './lib/stats.js';
import type { Benchmark, BenchContext, Section } from './lib/types.js';

interface Settings {
  backlog: number;
  /** Endpoints the backlog is spread over (the fresh publishes go to one more). */
  backlogEndpoints: number;
  insertChunk: number;
  sweepQueryRuns: number;
  windowS: number;
  freshCount: number;
  freshRatePerSec: number;
  /** Closed-loop publishers and seconds of the steady-state round. */
  steadyConcurrency: number;
  steadyS: number;
  drainTimeoutS: number;
  sampleEveryMs: number;
}

interface Sample {
  ms: number;
  rss: number;
  heapUsed: number;
}

/** Samples the process's memory every `everyMs` until stopped (a tick is skipped while the previous answer is pending). */
function sampler(server: ServerProcess, t0: number, everyMs: number): { samples: Sample[]; stop(): void } {
  const samples: Sample[] = [];
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    server
      .memory()
      .then((m) => samples.push({ ms: performance.now() - t0, rss: m.rss, heapUsed: m.heapUsed }))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

function peak(samples: Sample[], key: 'rss' | 'heapUsed'): number {
  return samples.reduce((a, s) => Math.max(a, s[key]), 0);
}

/** The due drain's query (`DeliveryClaims.dueCandidates`), exactly as the package runs it (filter, projection, sort, limit). */
function sweepQuery(deliveries: Collection<DeliveryDoc>, now: Date) {
  return deliveries
    .find(
      { state: 'pending', next_attempt_at: { $lte: now }, $or: [{ lease_until: null }, { lease_until: { $lt: now } }] },
      { projection: { _id: 1, endpoint_id: 1, webhook_id: 1, next_attempt_at: 1, lease_until: 1, rev: 1 } },
    )
    .sort({ next_attempt_at: 1 })
    .limit(DUE_PAGE);
}

/** Received messages per second from the first receipt to the last (NaN below two). */
function rateOf(a: Arrivals): number {
  return a.received > 1 ? (a.received / (a.lastReceipt - a.firstReceipt)) * 1000 : Number.NaN;
}

/** What `explain('executionStats')` says about the sweep query (real MongoDB). */
interface ExplainSummary {
  indexNames: string[];
  stages: string[];
  totalDocsExamined?: number;
  totalKeysExamined?: number;
  nReturned?: number;
  executionTimeMillis?: number;
}

function summariseExplain(explain: Document): ExplainSummary {
  const indexNames = new Set<string>();
  const stages = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const n = node as Record<string, unknown>;
    if (typeof n.indexName === 'string') indexNames.add(n.indexName);
    if (typeof n.stage === 'string') stages.add(n.stage);
    for (const key of ['inputStage', 'inputStages', 'queryPlan', 'winningPlan', 'shards']) walk(n[key]);
  };
  const planner = (explain.queryPlanner ?? {}) as Record<string, unknown>;
  walk(planner.winningPlan);
  const stats = (explain.executionStats ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return {
    indexNames: [...indexNames],
    stages: [...stages],
    totalDocsExamined: num(stats.totalDocsExamined),
    totalKeysExamined: num(stats.totalKeysExamined),
    nReturned: num(stats.nReturned),
    executionTimeMillis: num(stats.executionTimeMillis),
  };
}

/** An endpoint document as `EndpointsRepo.create` stores it, in the account's endpoint slot `slot`. */
function endpointDoc(slot: number, url: string, topics: string[], name: string, now: Date): EndpointDoc {
  return newEndpoint({ account: DELIVERY_ACCOUNT.id, slot, url, name, topics }, now);
}

/** Inserts `s.backlog` webhooks and their pending deliveries, due between 1 h and 6 h from now. */
async function insertBacklog(ctx: BenchContext, webhooks: Collection<WebhookDoc>, deliveries: Collection<DeliveryDoc>, endpoints: EndpointDoc[], s: Settings): Promise<{ ms: number; ids: string[] }> {
  const data = topicData(BACKLOG_TOPIC);
  const leaseMs = leaseFor(DEFAULTS.delivery.timeoutMs);
  const maxAttempts = DEFAULTS.delivery.retrySchedule.length + 1;
  const started = performance.now();
  const base = Date.now();
  const ids: string[] = [];
  for (let from = 0; from < s.backlog; from += s.insertChunk) {
    const count = Math.min(s.insertChunk, s.backlog - from);
    const now = new Date();
    const hooks: WebhookDoc[] = [];
    const docs: DeliveryDoc[] = [];
    for (let i = from; i < from + count; i++) {
      const webhook: WebhookDoc = { _id: new ObjectId(), account: DELIVERY_ACCOUNT.id, topic: BACKLOG_TOPIC, data, created_at: now };
      hooks.push(webhook);
      ids.push(webhook._id.toHexString());
      const endpoint = endpoints[i % endpoints.length]!;
      const doc = newDelivery({ account: DELIVERY_ACCOUNT.id, webhookId: webhook._id, destination: { kind: 'endpoint', id: endpoint._id }, topic: BACKLOG_TOPIC, maxAttempts, trigger: 'publish' }, now, leaseMs, false);
      doc.next_attempt_at = new Date(base + 3_600_000 + Math.floor((i / s.backlog) * 5 * 3_600_000));
      docs.push(doc);
    }
    await Promise.all([webhooks.insertMany(hooks, { ordered: false }), deliveries.insertMany(docs, { ordered: false })]);
    if ((from / s.insertChunk) % 5 === 4) ctx.log(`    ${fmt(from + count)} of ${fmt(s.backlog)} inserted`);
  }
  return { ms: performance.now() - started, ids };
}

export const deliveryBacklog: Benchmark = {
  name: 'delivery-backlog',
  title: '(e) 100,000 deliveries pending: due query, fresh publishes, memory, drain of all 100,000 at once vs the steady-state rate',
  async run(ctx) {
    const s: Settings = ctx.quick
      ? { backlog: 10_000, backlogEndpoints: 4, insertChunk: 5_000, sweepQueryRuns: 3, windowS: 10, freshCount: 100, freshRatePerSec: 20, steadyConcurrency: 32, steadyS: 5, drainTimeoutS: 90, sampleEveryMs: 250 }
      : { backlog: 100_000, backlogEndpoints: 4, insertChunk: 5_000, sweepQueryRuns: 7, windowS: 30, freshCount: 400, freshRatePerSec: 20, steadyConcurrency: 32, steadyS: 10, drainTimeoutS: 300, sampleEveryMs: 250 };
    const dbName = ctx.db.freshName('delivery_backlog');
    const realMongo = Boolean(process.env.MONGODB_URI);
    const client = new MongoClient(ctx.db.uri, { serverSelectionTimeoutMS: 10_000 });
    const servers: ServerProcess[] = [];
    try {
      await client.connect();
      const db = client.db(dbName);
      const deliveries = db.collection<DeliveryDoc>('chameleon_deliveries');
      const webhooks = db.collection<WebhookDoc>('chameleon_webhooks');

      const receiver = await startServer({ kind: 'receiver', uri: ctx.db.uri, dbName });
      servers.push(receiver);
      const log = new ReceiptLog(receiver);
      const now = new Date();
      const fresh = endpointDoc(0, `${receiver.baseUrl}/fresh`, [PUBLISH_TOPIC], 'fresh', now);
      const backlogEndpoints = Array.from({ length: s.backlogEndpoints }, (_, i) => endpointDoc(i + 1, `${receiver.baseUrl}/backlog-${i + 1}`, [BACKLOG_TOPIC], `backlog ${i + 1}`, now));
      await db.collection<EndpointDoc>('chameleon_endpoints').insertMany([fresh, ...backlogEndpoints]);
      ctx.log(`  inserting ${fmt(s.backlog)} webhooks and ${fmt(s.backlog)} pending deliveries (bulk insertMany, chunks of ${fmt(s.insertChunk)})`);
      const { ms: insertMs, ids: backlogIds } = await insertBacklog(ctx, webhooks, deliveries, backlogEndpoints, s);
      ctx.log(`  inserted in ${fmt(insertMs / 1000, 1)} s`);

      // The package host: ready() creates the indexes (state_due among them) and runs a first sweep at once.
      const hostStart = performance.now();
      const host = await startServer({ kind: 'delivery-package', uri: ctx.db.uri, dbName, options: { prefix: 'chameleon_' } });
      servers.push(host);
      const hostStartMs = performance.now() - hostStart;
      const t0 = performance.now();
      const idleMemory = await host.memory();
      ctx.log(`  host ready in ${fmt(hostStartMs)} ms, RSS ${fmtMB(idleMemory.rss)}, heapUsed ${fmtMB(idleMemory.heapUsed)}`);

      // (1) The due drain's query with the backlog present (nothing is due: it finds nothing).
      const sweepMs: number[] = [];
      let sweepFound = 0;
      for (let i = 0; i < s.sweepQueryRuns; i++) {
        const q0 = performance.now();
        const found = await sweepQuery(deliveries, new Date()).toArray();
        sweepMs.push(performance.now() - q0);
        sweepFound = found.length;
      }
      let explain: ExplainSummary | undefined;
      let explainError: string | undefined;
      try {
        explain = summariseExplain(await sweepQuery(deliveries, new Date()).explain('executionStats'));
      } catch (error) {
        explainError = error instanceof Error ? error.message : String(error);
      }
      const scanAll0 = performance.now();
      const scanned = await deliveries.countDocuments({ state: 'pending' });
      const countPendingMs = performance.now() - scanAll0;
      ctx.log(`  due query: median ${fmt(median(sweepMs), 1)} ms, max ${fmt(Math.max(...sweepMs), 1)} ms over ${s.sweepQueryRuns} runs, ${sweepFound} found; explain: ${explain ? JSON.stringify(explain) : `unavailable (${explainError})`}`);

      // (2) + (3): fresh publishes at a steady rate while the host's memory is sampled for the window.
      const window = sampler(host, t0, s.sampleEveryMs);
      const windowStart = performance.now();
      const freshRun = await host.call<PublishRun>('paced', { count: s.freshCount, ratePerSec: s.freshRatePerSec }, (s.freshCount / s.freshRatePerSec + 60) * 1000);
      await log.waitFor(freshRun.ids, 30_000);
      const remaining = s.windowS * 1000 - (performance.now() - windowStart);
      if (remaining > 0) await sleep(remaining);
      window.stop();
      await log.collect();
      const windowEnd = await host.memory();
      window.samples.push({ ms: performance.now() - t0, rss: windowEnd.rss, heapUsed: windowEnd.heapUsed });
      const windowUsage = await host.resourceUsage();
      const windowGc = await host.memoryAfterGc();
      const freshArrivals = arrivals(freshRun, log);
      const freshLatency = spread(freshArrivals.latencies);
      const freshSucceeded = await deliveries.countDocuments({ topic: PUBLISH_TOPIC, state: 'succeeded' });
      const windowSeconds = (performance.now() - windowStart) / 1000;
      ctx.log(
        `  window ${fmt(windowSeconds, 1)} s: ${fmt(freshRun.ids.length)} fresh publishes (${freshRun.errors} errors), received ${fmt(freshArrivals.received)}, latency p50 ${fmt(freshLatency.p50, 1)} p95 ${fmt(freshLatency.p95, 1)} p99 ${fmt(freshLatency.p99, 1)} max ${fmt(freshLatency.max)} ms; ` +
          `RSS peak ${fmtMB(peak(window.samples, 'rss'))} final ${fmtMB(windowEnd.rss)} (kernel max ${fmtMB(windowUsage.maxRSS * 1024)}), heapUsed peak ${fmtMB(peak(window.samples, 'heapUsed'))} final ${fmtMB(windowEnd.heapUsed)}, after GC ${fmtMB(windowGc.heapUsed)}; ${window.samples.length} samples`,
      );

      // (4) The steady-state rate of this host, in this run: closed-loop publishers to the fresh endpoint.
      const steadyRun = await host.call<PublishRun>('round', { durationMs: s.steadyS * 1000, concurrency: s.steadyConcurrency }, (s.steadyS + 60) * 1000);
      await log.waitFor(steadyRun.ids, 60_000);
      const steady = arrivals(steadyRun, log);
      const steadyRate = rateOf(steady);
      ctx.log(`  steady state: ${fmt(steady.received)} of ${fmt(steady.published)} received at ${fmt(steadyRate, 1)} msg/s (${s.steadyConcurrency} closed-loop publishers, ${s.steadyS} s)`);

      // (5) The whole backlog falls due at once; fresh publishes go on meanwhile.
      const drainT0 = performance.now();
      const drain = sampler(host, t0, s.sampleEveryMs);
      const madeDue0 = wallNow();
      await deliveries.updateMany({ state: 'pending', topic: BACKLOG_TOPIC }, { $set: { next_attempt_at: new Date() } });
      const dueAt = wallNow();
      const drainFreshCount = Math.round(s.freshRatePerSec * Math.min(60, s.drainTimeoutS / 2));
      const drainFresh = host.call<PublishRun>('paced', { count: drainFreshCount, ratePerSec: s.freshRatePerSec }, (drainFreshCount / s.freshRatePerSec + 120) * 1000);
      // Halfway through, one forced full collection: the heap the drain really holds (a page of
      // candidates and the attempts in flight), apart from the garbage the collector has not reclaimed yet.
      let midDrain: { received: number; memory: NodeJS.MemoryUsage } | undefined;
      const received = await log.waitFor(backlogIds, s.drainTimeoutS * 1000, 250, async (n) => {
        if (midDrain === undefined && n >= backlogIds.length / 2) midDrain = { received: n, memory: await host.memoryAfterGc() };
      });
      const drainFreshRun = await drainFresh;
      await log.waitFor(drainFreshRun.ids, 30_000);
      let succeeded = 0;
      for (;;) {
        succeeded = await deliveries.countDocuments({ topic: BACKLOG_TOPIC, state: 'succeeded' });
        if (succeeded === backlogIds.length || performance.now() - drainT0 > s.drainTimeoutS * 1000) break;
        await sleep(250);
      }
      const drainMs = performance.now() - drainT0;
      drain.stop();
      await log.collect();
      const drainUsage = await host.resourceUsage();
      const drainGc = await host.memoryAfterGc();
      const jobsLeft = await db.collection('chameleon_jobs').countDocuments({});
      const stillPending = await deliveries.countDocuments({ state: 'pending' });
      const firsts: number[] = [];
      let duplicates = 0;
      for (const id of backlogIds) {
        const t = log.times(id);
        if (!t) continue;
        if (t.length > 1) duplicates += 1;
        firsts.push(Math.min(...t));
      }
      const firstReceipt = firsts.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      const lastReceipt = firsts.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
      const pickupMs = firstReceipt - dueAt;
      const drainRate = firsts.length > 1 ? (firsts.length / (lastReceipt - firstReceipt)) * 1000 : Number.NaN;
      const overallRate = firsts.length > 0 ? (firsts.length / (lastReceipt - dueAt)) * 1000 : Number.NaN;
      const ratio = overallRate / steadyRate;
      const drainFreshArrivals = arrivals(drainFreshRun, log);
      const drainFreshLatency = spread(drainFreshArrivals.latencies);
      // Receipts per second, second by second from the first one.
      const perSecond: number[] = [];
      for (const t of firsts) {
        const sec = Math.floor((t - firstReceipt) / 1000);
        perSecond[sec] = (perSecond[sec] ?? 0) + 1;
      }
      ctx.log(
        `  drain: ${fmt(received)} of ${fmt(backlogIds.length)} received (${duplicates} duplicates), ${fmt(succeeded)} succeeded, in ${fmt(drainMs / 1000, 1)} s; made due by one updateMany in ${fmt(dueAt - madeDue0)} ms, first receipt ${fmt(pickupMs)} ms after it returned; ` +
          `${fmt(overallRate, 1)} deliveries/s from falling due (${fmt(ratio, 2)}× steady), ${fmt(drainRate, 1)}/s first → last; fresh meanwhile p99 ${fmt(drainFreshLatency.p99, 1)} ms (${fmt(drainFreshArrivals.received)} of ${fmt(drainFreshRun.ids.length)}); peak RSS ${fmtMB(peak(drain.samples, 'rss'))}; ${fmt(jobsLeft)} Agenda jobs left, ${fmt(stillPending)} still pending`,
      );

      const windowPeakRss = Math.max(peak(window.samples, 'rss'), windowUsage.maxRSS * 1024);
      const drainPeakRss = Math.max(peak(drain.samples, 'rss'), drainUsage.maxRSS * 1024);
      const heapGrowth = peak(window.samples, 'heapUsed') - idleMemory.heapUsed;
      const drainHeld = Math.max(midDrain?.memory.heapUsed ?? Number.NaN, drainGc.heapUsed) - idleMemory.heapUsed;
      const freshOk = freshArrivals.lost === 0 && freshArrivals.duplicates === 0 && freshRun.errors === 0 && freshSucceeded === freshRun.ids.length;
      const drainOk = received === backlogIds.length && succeeded === backlogIds.length && duplicates === 0;
      const drainFreshOk = drainFreshArrivals.lost === 0 && drainFreshArrivals.duplicates === 0 && drainFreshRun.errors === 0;
      const indexLine = realMongo
        ? explain
          ? `\`explain('executionStats')\`: winning plan stages ${explain.stages.join(' → ') || '?'}, index ${explain.indexNames.length ? explain.indexNames.map((n) => `\`${n}\``).join(', ') : '**none (collection scan)**'}, ${fmt(explain.totalKeysExamined ?? Number.NaN)} keys and ${fmt(explain.totalDocsExamined ?? Number.NaN)} documents examined, ${fmt(explain.nReturned ?? Number.NaN)} returned, ${fmt(explain.executionTimeMillis ?? Number.NaN)} ms.`
          : `\`explain('executionStats')\` failed: ${explainError ?? 'no answer'}.`
        : `On mongo-java-server non-unique indexes are accepted but not used (SPEC §9), so this query scans every delivery: the figure above is that scan over ${fmt(s.backlog + freshRun.ids.length)} documents; index use (\`state_due\`) can only be checked with \`explain\` against real MongoDB (set MONGODB_URI)` +
          (explain ? ` — this server's explain answered: stages ${explain.stages.join(', ') || 'none'}, indexes ${explain.indexNames.join(', ') || 'none'}.` : ` (this server's explain: ${explainError ?? 'no answer'}).`);

      const section: Section = {
        method: [
          `${fmt(s.backlog)} webhooks (\`tour.completed\` fixture) and ${fmt(s.backlog)} pending deliveries — documents built by \`newDelivery\` (not started: \`attempts\` 0, no lease), spread over ${s.backlogEndpoints} endpoints, \`next_attempt_at\` spread evenly from 1 h to 6 h ahead, so none is due — are written with the driver (\`insertMany\`, chunks of ${fmt(s.insertChunk)}) into the package's collections; then a package host process is started on that database ` +
            `(\`chameleonHooks({mongo, accounts: [acme], delivery: {allowHttp: true, allowPrivateNetworks: true}})\`, defaults otherwise: ${defaultsText()}). One more endpoint, subscribed to \`tour.started\`, takes the fresh publishes. The receiver is its own process, as in (d).`,
          '',
          `1. **Due query**: the exact \`find\` of the due drain (\`dueCandidates\`: \`{state: 'pending', next_attempt_at: {$lte: now}, $or: [{lease_until: null}, {lease_until: {$lt: now}}]}\`, projected to what a claim by \`rev\` needs, sort \`{next_attempt_at: 1}\`, limit ${DUE_PAGE}) run ${s.sweepQueryRuns} times from the orchestrator, timed.`,
          `2. **Fresh publishes**: ${fmt(s.freshCount)} \`hooks.publish('acme', 'tour.started', …)\` in the host process at ${s.freshRatePerSec}/s (each started on schedule, not waiting for the previous), publish start → receipt.`,
          `3. **Memory**: the host's \`process.memoryUsage()\` every ${s.sampleEveryMs} ms over a ${s.windowS} s window (the fresh publishes run in it, and the host's own sweep runs ${Math.floor(s.windowS / 10)}–${Math.ceil(s.windowS / 10)} times), plus the kernel's peak RSS and heapUsed after a forced GC at its end.`,
          `4. **Steady state**: ${s.steadyConcurrency} closed-loop publishers in the host for ${s.steadyS} s (\`hooks.publish\` to the fresh endpoint, as in (d)); rate = received ÷ (last − first receipt).`,
          `5. **Drain**: ALL ${fmt(s.backlog)} pending deliveries get \`next_attempt_at\` = now in one \`updateMany\`; nothing else is done — the host's due drain must find them. Meanwhile fresh publishes go on at ${s.freshRatePerSec}/s. Timed until all reached the receiver and are \`succeeded\` (up to ${s.drainTimeoutS} s), memory sampled as above; rate = deliveries ÷ (last receipt − the \`updateMany\`'s return). Once half have arrived, the host runs one forced full collection and reports its heap: what the drain holds (a page of candidates, the attempts in flight), apart from garbage not yet collected; another at the end.`,
          `6. **Two memory limits**: with the backlog pending (3), RSS < 300 MB. While it drains at full speed (5), the host allocates on the order of 100 MB/s of short-lived objects (decoded replies, request bodies), and V8 lets garbage build up between collections (heapUsed swings by 100 MB or more): the bound there is the heap held after a forced collection (< 50 MB over idle), with RSS under a 400 MB ceiling.`,
        ].join('\n'),
        tables: [
          {
            caption: 'Backlog and sweep query',
            headers: ['what', 'value'],
            align: ['left', 'right'],
            rows: [
              ['backlog written (webhooks + deliveries)', `${fmt(s.backlog)} + ${fmt(s.backlog)} in ${fmt(insertMs / 1000, 1)} s`],
              ['host start (ready(): indexes, first sweep started)', `${fmt(hostStartMs)} ms`],
              [`due query, ${s.sweepQueryRuns} runs: median / max`, `${fmt(median(sweepMs), 1)} / ${fmt(Math.max(...sweepMs), 1)} ms (${sweepFound} found)`],
              ['due query, each run', sweepMs.map((ms) => fmt(ms, 1)).join(', ') + ' ms'],
              ['`countDocuments({state: "pending"})` for scale', `${fmt(countPendingMs, 1)} ms (${fmt(scanned)} pending)`],
              ['index use', realMongo ? (explain ? (explain.indexNames.join(', ') || 'none (collection scan)') : 'explain failed') : 'not checkable on mongo-java-server (see below)'],
            ],
          },
          {
            caption: `Fresh publishes while ${fmt(s.backlog)} deliveries are pending`,
            headers: ['published', 'errors', 'received', 'not received / duplicates', 'succeeded in db', 'latency p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
            rows: [[fmt(freshRun.ids.length), fmt(freshRun.errors), fmt(freshArrivals.received), `${freshArrivals.lost} / ${freshArrivals.duplicates}`, fmt(freshSucceeded), fmt(freshLatency.p50, 1), fmt(freshLatency.p95, 1), fmt(freshLatency.p99, 1), fmt(freshLatency.max)]],
          },
          {
            caption: 'Host process memory (MB = 10^6 bytes)',
            headers: ['phase', 'samples', 'RSS start', 'RSS peak (sampled)', 'RSS peak (kernel, so far)', 'RSS final', 'heapUsed start', 'heapUsed peak', 'heapUsed final', 'heapUsed after GC'],
            rows: [
              ['idle → window end', String(window.samples.length), fmtMB(idleMemory.rss), fmtMB(peak(window.samples, 'rss')), fmtMB(windowUsage.maxRSS * 1024), fmtMB(windowEnd.rss), fmtMB(idleMemory.heapUsed), fmtMB(peak(window.samples, 'heapUsed')), fmtMB(windowEnd.heapUsed), fmtMB(windowGc.heapUsed)],
              ['drain', String(drain.samples.length), fmtMB(drain.samples[0]?.rss ?? Number.NaN), fmtMB(peak(drain.samples, 'rss')), fmtMB(drainUsage.maxRSS * 1024), fmtMB(drain.samples.at(-1)?.rss ?? Number.NaN), fmtMB(drain.samples[0]?.heapUsed ?? Number.NaN), fmtMB(peak(drain.samples, 'heapUsed')), fmtMB(drain.samples.at(-1)?.heapUsed ?? Number.NaN), `${fmtMB(midDrain?.memory.heapUsed ?? Number.NaN)} halfway, ${fmtMB(drainGc.heapUsed)} at the end`],
            ],
          },
          {
            caption: `Drain of all ${fmt(s.backlog)} deliveries made due at once, against the steady-state rate`,
            headers: ['steady-state msg/s', 'received', 'succeeded', 'duplicates', 'fell due → first receipt', 'first → last receipt', 'deliveries/s (first → last)', 'deliveries/s (fell due → last)', '× steady', 'fresh p99 ms', 'Agenda jobs left', 'peak RSS'],
            rows: [[
              fmt(steadyRate, 1),
              `${fmt(received)} of ${fmt(backlogIds.length)}`,
              fmt(succeeded),
              fmt(duplicates),
              `${fmt(pickupMs / 1000, 1)} s`,
              `${fmt((lastReceipt - firstReceipt) / 1000, 1)} s`,
              fmt(drainRate, 1),
              fmt(overallRate, 1),
              fmt(ratio, 2),
              fmt(drainFreshLatency.p99, 1),
              fmt(jobsLeft),
              fmtMB(drainPeakRss),
            ]],
          },
        ],
        goals: [
          {
            goal: `memory stays bounded with ${fmt(s.backlog)} deliveries pending: host peak RSS < 300 MB and heapUsed growth < 50 MB over idle`,
            met: windowPeakRss < 300e6 && heapGrowth < 50e6,
            measured: `peak RSS ${fmtMB(windowPeakRss)} (idle ${fmtMB(idleMemory.rss)}); heapUsed ${fmtMB(idleMemory.heapUsed)} idle → peak ${fmtMB(peak(window.samples, 'heapUsed'))}, ${fmtMB(windowGc.heapUsed)} after GC`,
          },
          {
            goal: `memory stays bounded while the ${fmt(s.backlog)} drain: heap held (after a forced GC, halfway and at the end) < 50 MB over idle, host peak RSS < 400 MB`,
            met: drainHeld < 50e6 && drainPeakRss < 400e6,
            measured: `heapUsed after GC ${fmtMB(midDrain?.memory.heapUsed ?? Number.NaN)} halfway (${fmt(midDrain?.received ?? Number.NaN)} received), ${fmtMB(drainGc.heapUsed)} at the end (idle ${fmtMB(idleMemory.heapUsed)}); peak RSS ${fmtMB(drainPeakRss)}, heapUsed peak ${fmtMB(peak(drain.samples, 'heapUsed'))}`,
          },
          {
            goal: 'fresh publishes all delivered once while the backlog is pending',
            met: freshOk,
            measured: `${fmt(freshArrivals.received)} of ${fmt(freshRun.ids.length)} received, ${freshArrivals.duplicates} duplicates, ${fmt(freshSucceeded)} succeeded; p99 ${fmt(freshLatency.p99, 1)} ms`,
          },
          {
            goal: `all ${fmt(s.backlog)} deliveries made due at once are delivered once within ${s.drainTimeoutS} s`,
            met: drainOk,
            measured: `${fmt(received)} received, ${fmt(succeeded)} succeeded, ${duplicates} duplicates in ${fmt(drainMs / 1000, 1)} s`,
          },
          {
            goal: 'the backlog drains at ≥ 0.5× the steady-state publish → receipt rate of the same run',
            met: ratio >= 0.5,
            measured: `${fmt(ratio, 2)}× (${fmt(overallRate, 1)} deliveries/s from falling due vs ${fmt(steadyRate, 1)} msg/s steady)`,
          },
          {
            goal: 'the first delivery made due arrives within 1 s',
            met: pickupMs <= 1000,
            measured: `${fmt(pickupMs)} ms after the \`updateMany\` returned (it took ${fmt(dueAt - madeDue0)} ms)`,
          },
          {
            goal: 'fresh publishes during the drain: all delivered once, p99 ≤ 250 ms',
            met: drainFreshOk && drainFreshLatency.p99 <= 250,
            measured: `${fmt(drainFreshArrivals.received)} of ${fmt(drainFreshRun.ids.length)} received, ${drainFreshArrivals.duplicates} duplicates; p50 ${fmt(drainFreshLatency.p50, 1)}, p99 ${fmt(drainFreshLatency.p99, 1)}, max ${fmt(drainFreshLatency.max)} ms`,
          },
        ],
        notes: [
          indexLine,
          `Receipts per second during the drain (from the first): ${Array.from(perSecond, (n) => String(n ?? 0)).join(', ') || 'none'}.`,
          `After the drain: ${fmt(stillPending)} deliveries still pending (expected 0), ${fmt(jobsLeft)} jobs in the Agenda collection.`,
          `All processes share this machine's ${os.cpus().length} CPUs with the database.`,
        ],
        raw: {
          settings: s,
          insertMs,
          hostStartMs,
          sweepMs,
          explain: explain ?? explainError,
          countPendingMs,
          fresh: { ...freshArrivals, errors: freshRun.errors, latencies: undefined, latency: freshLatency, succeeded: freshSucceeded },
          memory: { idle: idleMemory, window: window.samples, windowEnd, windowMaxRss: windowUsage.maxRSS * 1024, windowAfterGc: windowGc, drain: drain.samples, drainMaxRss: drainUsage.maxRSS * 1024, midDrain, drainAfterGc: drainGc },
          steady: { ...steady, latencies: undefined, rate: steadyRate, errors: steadyRun.errors },
          drain: { due: backlogIds.length, madeDueMs: dueAt - madeDue0, received, succeeded, duplicates, pickupMs, drainMs, drainRate, overallRate, ratio, perSecond, jobsLeft, stillPending, fresh: { ...drainFreshArrivals, latencies: undefined, latency: drainFreshLatency } },
        },
      };
      return section;
    } finally {
      for (const server of servers) await server.stop().catch(() => undefined);
      await client.close().catch(() => undefined);
      await ctx.db.drop(dbName);
    }
  },
};
