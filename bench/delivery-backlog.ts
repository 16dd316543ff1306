/**
 * (e) The package with 100,000 deliveries pending (not due): the recovery sweep's query, fresh
 * publishes meanwhile, the host process's memory, and the drain once part of the backlog
 * falls due. The backlog is written straight into the package's collections with the driver
 * (documents shaped by `newDelivery`), then a package host process is started on that database.
 */
import os from 'node:os';
import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { newDelivery } from '../lib/delivery/deliveries/deliveries-repo.js';
import { newEndpoint } from '../lib/delivery/endpoints/endpoints-repo.js';
import { leaseFor } from '../lib/delivery/engine.js';
import { OVERDUE_GRACE_MS, SWEEP_BATCH } from '../lib/delivery/background/sweep.js';
import { DEFAULTS } from '../lib/options.js';
import type { DeliveryDoc, WebhookDoc } from '../lib/delivery/deliveries/documents.js';
import type { EndpointDoc } from '../lib/delivery/endpoints/documents.js';
import { startServer, type ServerProcess } from './lib/server-process.js';
import { arrivals, BACKLOG_TOPIC, defaultsText, DELIVERY_ACCOUNT, PUBLISH_TOPIC, ReceiptLog, spread, topicData, wallNow, type PublishRun } from './lib/delivery.js';
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
  due: number;
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

/** The sweep's `takeOverdue` query, exactly as the package runs it (filter, sort, limit). */
function sweepQuery(deliveries: Collection<DeliveryDoc>, now: Date) {
  return deliveries
    .find({
      state: 'pending',
      next_attempt_at: { $lte: new Date(now.getTime() - OVERDUE_GRACE_MS) },
      $or: [{ lease_until: null }, { lease_until: { $lt: now } }],
    })
    .sort({ next_attempt_at: 1 })
    .limit(SWEEP_BATCH);
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
async function insertBacklog(ctx: BenchContext, webhooks: Collection<WebhookDoc>, deliveries: Collection<DeliveryDoc>, endpoints: EndpointDoc[], s: Settings): Promise<number> {
  const data = topicData(BACKLOG_TOPIC);
  const leaseMs = leaseFor(DEFAULTS.delivery.timeoutMs);
  const maxAttempts = DEFAULTS.delivery.retrySchedule.length + 1;
  const started = performance.now();
  const base = Date.now();
  for (let from = 0; from < s.backlog; from += s.insertChunk) {
    const count = Math.min(s.insertChunk, s.backlog - from);
    const now = new Date();
    const hooks: WebhookDoc[] = [];
    const docs: DeliveryDoc[] = [];
    for (let i = from; i < from + count; i++) {
      const webhook: WebhookDoc = { _id: new ObjectId(), account: DELIVERY_ACCOUNT.id, topic: BACKLOG_TOPIC, data, created_at: now };
      hooks.push(webhook);
      const endpoint = endpoints[i % endpoints.length]!;
      const doc = newDelivery({ account: DELIVERY_ACCOUNT.id, webhookId: webhook._id, destination: { kind: 'endpoint', id: endpoint._id }, topic: BACKLOG_TOPIC, maxAttempts, trigger: 'publish' }, now, leaseMs, false);
      doc.next_attempt_at = new Date(base + 3_600_000 + Math.floor((i / s.backlog) * 5 * 3_600_000));
      docs.push(doc);
    }
    await Promise.all([webhooks.insertMany(hooks, { ordered: false }), deliveries.insertMany(docs, { ordered: false })]);
    if ((from / s.insertChunk) % 5 === 4) ctx.log(`    ${fmt(from + count)} of ${fmt(s.backlog)} inserted`);
  }
  return performance.now() - started;
}

export const deliveryBacklog: Benchmark = {
  name: 'delivery-backlog',
  title: '(e) 100,000 deliveries pending: sweep query, fresh publishes, memory, drain',
  async run(ctx) {
    const s: Settings = ctx.quick
      ? { backlog: 10_000, backlogEndpoints: 4, insertChunk: 5_000, sweepQueryRuns: 3, windowS: 10, freshCount: 100, freshRatePerSec: 20, due: 200, drainTimeoutS: 90, sampleEveryMs: 250 }
      : { backlog: 100_000, backlogEndpoints: 4, insertChunk: 5_000, sweepQueryRuns: 7, windowS: 30, freshCount: 400, freshRatePerSec: 20, due: 2_000, drainTimeoutS: 240, sampleEveryMs: 250 };
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
      const insertMs = await insertBacklog(ctx, webhooks, deliveries, backlogEndpoints, s);
      ctx.log(`  inserted in ${fmt(insertMs / 1000, 1)} s`);

      // The package host: ready() creates the indexes (state_due among them) and runs a first sweep at once.
      const hostStart = performance.now();
      const host = await startServer({ kind: 'delivery-package', uri: ctx.db.uri, dbName, options: { prefix: 'chameleon_' } });
      servers.push(host);
      const hostStartMs = performance.now() - hostStart;
      const t0 = performance.now();
      const idleMemory = await host.memory();
      ctx.log(`  host ready in ${fmt(hostStartMs)} ms, RSS ${fmtMB(idleMemory.rss)}, heapUsed ${fmtMB(idleMemory.heapUsed)}`);

      // (1) The sweep's query with the backlog present (nothing is due: it finds nothing).
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
      ctx.log(`  sweep query: median ${fmt(median(sweepMs), 1)} ms, max ${fmt(Math.max(...sweepMs), 1)} ms over ${s.sweepQueryRuns} runs, ${sweepFound} found; explain: ${explain ? JSON.stringify(explain) : `unavailable (${explainError})`}`);

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

      // (4) Part of the backlog falls due now: the sweep finds it, and it drains to the receiver.
      const dueDocs = await deliveries.find({ state: 'pending', topic: BACKLOG_TOPIC }, { projection: { _id: 1, webhook_id: 1 } }).limit(s.due).toArray();
      const dueIds = dueDocs.map((d) => d._id);
      const dueHookIds = dueDocs.map((d) => d.webhook_id.toHexString());
      const drainT0 = performance.now();
      const drain = sampler(host, t0, s.sampleEveryMs);
      await deliveries.updateMany({ _id: { $in: dueIds } }, { $set: { next_attempt_at: new Date(Date.now() - OVERDUE_GRACE_MS - 1_000) } });
      const dueAt = wallNow();
      const received = await log.waitFor(dueHookIds, s.drainTimeoutS * 1000, 250);
      let succeeded = 0;
      for (;;) {
        succeeded = await deliveries.countDocuments({ _id: { $in: dueIds }, state: 'succeeded' });
        if (succeeded === dueIds.length || performance.now() - drainT0 > s.drainTimeoutS * 1000) break;
        await sleep(250);
      }
      const drainMs = performance.now() - drainT0;
      drain.stop();
      await log.collect();
      const drainUsage = await host.resourceUsage();
      const jobsLeft = await db.collection('chameleon_jobs').countDocuments({});
      const stillPending = await deliveries.countDocuments({ state: 'pending' });
      const times = dueHookIds.map((id) => log.times(id));
      const firsts = times.filter((t): t is number[] => t !== undefined).map((t) => Math.min(...t));
      const duplicates = times.filter((t) => t !== undefined && t.length > 1).length;
      const firstReceipt = firsts.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      const lastReceipt = firsts.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
      const pickupMs = firstReceipt - dueAt;
      const drainRate = firsts.length > 1 ? (firsts.length / (lastReceipt - firstReceipt)) * 1000 : Number.NaN;
      const overallRate = firsts.length > 0 ? (firsts.length / (lastReceipt - dueAt)) * 1000 : Number.NaN;
      // Receipts per second, second by second from the first one.
      const perSecond: number[] = [];
      for (const t of firsts) {
        const sec = Math.floor((t - firstReceipt) / 1000);
        perSecond[sec] = (perSecond[sec] ?? 0) + 1;
      }
      ctx.log(
        `  drain: ${fmt(received)} of ${fmt(s.due)} received (${duplicates} duplicates), ${fmt(succeeded)} succeeded, in ${fmt(drainMs / 1000, 1)} s; first receipt ${fmt(pickupMs)} ms after they fell due; ` +
          `${fmt(drainRate, 1)} deliveries/s first → last receipt, ${fmt(overallRate, 1)}/s overall; peak RSS ${fmtMB(peak(drain.samples, 'rss'))} (kernel max ${fmtMB(drainUsage.maxRSS * 1024)}); ${fmt(jobsLeft)} Agenda jobs left, ${fmt(stillPending)} still pending`,
      );

      const windowPeakRss = Math.max(peak(window.samples, 'rss'), windowUsage.maxRSS * 1024);
      const drainPeakRss = Math.max(peak(drain.samples, 'rss'), drainUsage.maxRSS * 1024);
      const heapGrowth = peak(window.samples, 'heapUsed') - idleMemory.heapUsed;
      const freshOk = freshArrivals.lost === 0 && freshArrivals.duplicates === 0 && freshRun.errors === 0 && freshSucceeded === freshRun.ids.length;
      const drainOk = received === s.due && succeeded === s.due && duplicates === 0;
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
          `1. **Sweep query**: the exact \`find\` of \`takeOverdue\` (\`{state: 'pending', next_attempt_at: {$lte: now − ${OVERDUE_GRACE_MS} ms}, $or: [{lease_until: null}, {lease_until: {$lt: now}}]}\`, sort \`{next_attempt_at: 1}\`, limit ${SWEEP_BATCH}) run ${s.sweepQueryRuns} times from the orchestrator, timed.`,
          `2. **Fresh publishes**: ${fmt(s.freshCount)} \`hooks.publish('acme', 'tour.started', …)\` in the host process at ${s.freshRatePerSec}/s (each started on schedule, not waiting for the previous), publish start → receipt.`,
          `3. **Memory**: the host's \`process.memoryUsage()\` every ${s.sampleEveryMs} ms over a ${s.windowS} s window (the fresh publishes run in it, and the host's own sweep runs ${Math.floor(s.windowS / 10)}–${Math.ceil(s.windowS / 10)} times), plus the kernel's peak RSS and heapUsed after a forced GC at its end.`,
          `4. **Drain**: ${fmt(s.due)} of the pending deliveries get \`next_attempt_at\` = now − ${fmt((OVERDUE_GRACE_MS + 1000) / 1000)} s (overdue) in one \`updateMany\`; nothing else is done — the host's recovery sweep must find them. Timed until all reached the receiver and are \`succeeded\` (up to ${s.drainTimeoutS} s), memory sampled as above.`,
        ].join('\n'),
        tables: [
          {
            caption: 'Backlog and sweep query',
            headers: ['what', 'value'],
            align: ['left', 'right'],
            rows: [
              ['backlog written (webhooks + deliveries)', `${fmt(s.backlog)} + ${fmt(s.backlog)} in ${fmt(insertMs / 1000, 1)} s`],
              ['host start (ready(): indexes, first sweep started)', `${fmt(hostStartMs)} ms`],
              [`sweep query, ${s.sweepQueryRuns} runs: median / max`, `${fmt(median(sweepMs), 1)} / ${fmt(Math.max(...sweepMs), 1)} ms (${sweepFound} found)`],
              ['sweep query, each run', sweepMs.map((ms) => fmt(ms, 1)).join(', ') + ' ms'],
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
              ['drain', String(drain.samples.length), fmtMB(drain.samples[0]?.rss ?? Number.NaN), fmtMB(peak(drain.samples, 'rss')), fmtMB(drainUsage.maxRSS * 1024), fmtMB(drain.samples.at(-1)?.rss ?? Number.NaN), fmtMB(drain.samples[0]?.heapUsed ?? Number.NaN), fmtMB(peak(drain.samples, 'heapUsed')), fmtMB(drain.samples.at(-1)?.heapUsed ?? Number.NaN), ''],
            ],
          },
          {
            caption: `Drain of ${fmt(s.due)} deliveries made due`,
            headers: ['received', 'succeeded', 'duplicates', 'fell due → first receipt', 'first → last receipt', 'deliveries/s (first → last)', 'deliveries/s (fell due → last)', 'Agenda jobs left', 'peak RSS'],
            rows: [[
              `${fmt(received)} of ${fmt(s.due)}`,
              fmt(succeeded),
              fmt(duplicates),
              `${fmt(pickupMs / 1000, 1)} s`,
              `${fmt((lastReceipt - firstReceipt) / 1000, 1)} s`,
              fmt(drainRate, 1),
              fmt(overallRate, 1),
              fmt(jobsLeft),
              fmtMB(drainPeakRss),
            ]],
          },
        ],
        goals: [
          {
            goal: `memory stays bounded with ${fmt(s.backlog)} deliveries pending: host peak RSS < 300 MB and heapUsed growth < 50 MB over idle`,
            met: windowPeakRss < 300e6 && drainPeakRss < 300e6 && heapGrowth < 50e6,
            measured: `peak RSS ${fmtMB(windowPeakRss)} (idle ${fmtMB(idleMemory.rss)}), during the drain ${fmtMB(drainPeakRss)}; heapUsed ${fmtMB(idleMemory.heapUsed)} idle → peak ${fmtMB(peak(window.samples, 'heapUsed'))}, ${fmtMB(windowGc.heapUsed)} after GC`,
          },
          {
            goal: 'fresh publishes all delivered once while the backlog is pending',
            met: freshOk,
            measured: `${fmt(freshArrivals.received)} of ${fmt(freshRun.ids.length)} received, ${freshArrivals.duplicates} duplicates, ${fmt(freshSucceeded)} succeeded; p99 ${fmt(freshLatency.p99, 1)} ms`,
          },
          {
            goal: `the ${fmt(s.due)} deliveries made due are all delivered once within ${s.drainTimeoutS} s`,
            met: drainOk,
            measured: `${fmt(received)} received, ${fmt(succeeded)} succeeded, ${duplicates} duplicates in ${fmt(drainMs / 1000, 1)} s (${fmt(overallRate, 1)} deliveries/s from falling due)`,
          },
        ],
        notes: [
          indexLine,
          `Receipts per second during the drain (from the first): ${Array.from(perSecond, (n) => String(n ?? 0)).join(', ') || 'none'}.`,
          `After the drain: ${fmt(stillPending)} deliveries still pending (expected ${fmt(s.backlog - s.due)}), ${fmt(jobsLeft)} jobs in the Agenda collection.`,
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
          memory: { idle: idleMemory, window: window.samples, windowEnd, windowMaxRss: windowUsage.maxRSS * 1024, windowAfterGc: windowGc, drain: drain.samples, drainMaxRss: drainUsage.maxRSS * 1024 },
          drain: { due: s.due, received, succeeded, duplicates, pickupMs, drainMs, drainRate, overallRate, perSecond, jobsLeft, stillPending },
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
