/**
 * (d) Publish → receive at 32 concurrent publishers: the package (`hooks.publish`, first
 * attempt in-process right away) against a bare durable loop (insert, sign, POST, mark done),
 * same database, same receiver. Three processes: the receiver, and one publisher process per
 * side; rounds alternate bare, package, bare, package…. Throughput is counted where it matters,
 * at the receiver; latency is publish call start → receipt, joined by id after each round.
 */
import os from 'node:os';
import { MongoClient } from 'mongodb';
import { startServer, type ServerProcess } from './lib/server-process.js';
import { arrivals, BARE_DELIVERIES, defaultsText, PUBLISH_TOPIC, ReceiptLog, spread, type Arrivals, type PublishRun } from './lib/delivery.js';
import { fmt, fmtRatio, median, ratio, sleep, sum } from './lib/stats.js';
import type { Benchmark, BenchContext, Section } from './lib/types.js';

export type Side = 'bare' | 'package';

export interface Settings {
  rounds: number;
  durationS: number;
  warmupS: number;
  concurrency: number;
  /** How long a round may take to be fully delivered after publishing stops. */
  drainTimeoutS: number;
  /** How long closing the package instance between rounds may take before its process is replaced. */
  resetTimeoutS: number;
}

/** How the package instance was replaced before a round. */
export interface Reset {
  round: number;
  /** `hooks.close()` of the previous instance (NaN when it did not finish in time). */
  closeMs: number;
  /** The previous process was killed and the round ran in a newly started one. */
  freshProcess: boolean;
}

export interface Round {
  round: number;
  side: Side;
  published: number;
  publishErrors: number;
  firstError?: string;
  received: number;
  lost: number;
  duplicates: number;
  /** Messages received per second: received ÷ (last receipt − round start). */
  throughput: number;
  /** First receipts within the publishing window ÷ its length. */
  inWindowRate: number;
  /** Publish calls resolved per second. */
  publishRate: number;
  latency: { p50: number; p95: number; p99: number; max: number };
  /** How long the publish call itself took (the package resolves once stored). */
  call: { p50: number; p99: number };
  /** Round end → every message received and its delivery recorded as succeeded (or the drain timeout). */
  drainMs: number;
  /** The drain timeout passed before everything was delivered and recorded. */
  timedOut: boolean;
  /** The side's delivery documents in the database when the round ended. */
  db: DbCounts;
  /** Delivery documents expected (published into the side's collection). */
  expected: number;
  cpuUs: number;
  cpuUsPerMessage: number;
}

export interface SideState {
  server: ServerProcess;
  /** The collection holding the side's delivery documents (the package's changes with its prefix). */
  collection: string;
  filter: Record<string, unknown>;
  /** Agenda's collection (package only). */
  jobs?: string;
  /** Messages published into `collection` so far: the delivery documents expected there. */
  published: number;
}

interface DbCounts {
  total: number;
  succeeded: number;
  pending: number;
  /** Agenda jobs in the package's jobs collection (deliveries waiting for a job run). */
  jobs: number;
}

async function dbCounts(client: MongoClient, dbName: string, side: SideState): Promise<DbCounts> {
  const db = client.db(dbName);
  const collection = db.collection(side.collection);
  const [total, succeeded, pending, jobs] = await Promise.all([
    collection.countDocuments(side.filter),
    collection.countDocuments({ ...side.filter, state: 'succeeded' }),
    collection.countDocuments({ ...side.filter, state: 'pending' }),
    side.jobs ? db.collection(side.jobs).countDocuments({}) : Promise.resolve(0),
  ]);
  return { total, succeeded, pending, jobs };
}

/** Waits until the side's `published` delivery documents exist and all have succeeded, or `deadline`. */
async function waitForSucceeded(client: MongoClient, dbName: string, side: SideState, deadline: number): Promise<DbCounts> {
  for (;;) {
    const counts = await dbCounts(client, dbName, side);
    if ((counts.total === side.published && counts.succeeded === counts.total) || performance.now() > deadline) return counts;
    await sleep(200);
  }
}

async function oneRound(
  ctx: BenchContext,
  client: MongoClient,
  dbName: string,
  log: ReceiptLog,
  side: Side,
  state: SideState,
  round: number,
  durationS: number,
  s: Settings,
): Promise<{ round: Round; latencies: number[] }> {
  const before = await state.server.cpu();
  const run = await state.server.call<PublishRun>('round', { durationMs: durationS * 1000, concurrency: s.concurrency }, (durationS + 60) * 1000);
  state.published += run.ids.length;
  const roundEnd = performance.now();
  const deadline = roundEnd + s.drainTimeoutS * 1000;
  await log.waitFor(run.ids, s.drainTimeoutS * 1000);
  const db = await waitForSucceeded(client, dbName, state, deadline);
  const drainMs = performance.now() - roundEnd;
  const after = await state.server.cpu();
  await log.collect(); // late duplicates, if any
  const a: Arrivals = arrivals(run, log);
  const cpuUs = after.user - before.user + (after.system - before.system);
  const windowS = (run.t1 - run.t0) / 1000;
  const calls = run.ends.map((end, i) => end - run.starts[i]!);
  const latency = spread(a.latencies);
  const callSpread = spread(calls);
  const r: Round = {
    round,
    side,
    published: a.published,
    publishErrors: run.errors,
    ...(run.firstError ? { firstError: run.firstError } : {}),
    received: a.received,
    lost: a.lost,
    duplicates: a.duplicates,
    throughput: a.received > 0 ? (a.received / (a.lastReceipt - run.t0)) * 1000 : 0,
    inWindowRate: a.receivedInWindow / windowS,
    publishRate: a.published / windowS,
    latency,
    call: { p50: callSpread.p50, p99: callSpread.p99 },
    drainMs,
    timedOut: a.lost > 0 || db.succeeded !== state.published,
    db,
    expected: state.published,
    cpuUs,
    cpuUsPerMessage: cpuUs / Math.max(1, a.published),
  };
  ctx.log(
    `  ${round === 0 ? 'warm-up' : `round ${round}`} ${side.padEnd(7)} published ${fmt(r.published)} (${fmt(r.publishRate)}/s), received ${fmt(r.received)} → ${fmt(r.throughput)} msg/s ` +
      `(in window ${fmt(r.inWindowRate)}/s), latency p50 ${fmt(latency.p50, 1)} p99 ${fmt(latency.p99, 1)} max ${fmt(latency.max)} ms, drain ${fmt(drainMs)} ms${r.timedOut ? ' (TIMED OUT)' : ''}, ` +
      `db succeeded ${fmt(db.succeeded)} of ${fmt(state.published)} (pending ${fmt(db.pending)}, jobs ${fmt(db.jobs)}), not received ${r.lost}, dup ${r.duplicates}, errors ${r.publishErrors}, CPU ${fmt(r.cpuUsPerMessage, 1)} µs/msg`,
  );
  if (run.firstError) ctx.log(`    first publish error: ${run.firstError}`);
  return { round: r, latencies: a.latencies };
}

export interface Summary {
  throughput: number;
  inWindowRate: number;
  publishRate: number;
  latency: { p50: number; p95: number; p99: number; max: number };
  published: number;
  received: number;
  lost: number;
  duplicates: number;
  publishErrors: number;
  cpuUsPerMessage: number;
  allSucceeded: boolean;
}

/** Figures over the measured rounds: rates are medians of the rounds, latencies pooled over every message. */
function summarise(rounds: Round[], latencies: number[]): Summary {
  const published = sum(rounds.map((r) => r.published));
  return {
    throughput: median(rounds.map((r) => r.throughput)),
    inWindowRate: median(rounds.map((r) => r.inWindowRate)),
    publishRate: median(rounds.map((r) => r.publishRate)),
    latency: spread(latencies),
    published,
    received: sum(rounds.map((r) => r.received)),
    lost: sum(rounds.map((r) => r.lost)),
    duplicates: sum(rounds.map((r) => r.duplicates)),
    publishErrors: sum(rounds.map((r) => r.publishErrors)),
    cpuUsPerMessage: sum(rounds.map((r) => r.cpuUs)) / Math.max(1, published),
    allSucceeded: rounds.every((r) => r.db.total === r.expected && r.db.succeeded === r.expected),
  };
}

/** How a throughput benchmark starts its three processes (the receiver, the bare loop, the package). */
export interface ThroughputSetup {
  receiver: (dbName: string) => Promise<ServerProcess>;
  bare: (receiver: ServerProcess, dbName: string) => Promise<ServerProcess>;
  /** A package publisher process whose instance uses collections prefixed `prefix`. */
  package: (receiver: ServerProcess, dbName: string, prefix: string) => Promise<ServerProcess>;
  /**
   * Where the baseline side's delivery documents are counted, when the baseline is not the bare loop
   * (e.g. the package with another setting, in (l)). @defaultValue the bare loop's collection
   */
  baselineDeliveries?: { collection: string; filter: Record<string, unknown> };
}

/** What {@link runThroughput} measured. */
export interface ThroughputResult {
  settings: Settings;
  rounds: Round[];
  bare: Summary;
  package: Summary;
  log: ReceiptLog;
  resets: Reset[];
}

/**
 * Runs the rounds of a publish → receipt benchmark: a warm-up per side, then alternating bare and
 * package rounds, the package instance replaced (fresh collections) before each of its rounds.
 */
export async function runThroughput(ctx: BenchContext, name: string, setup: ThroughputSetup): Promise<ThroughputResult> {
  const s: Settings = ctx.quick
    ? { rounds: 2, durationS: 3, warmupS: 2, concurrency: 32, drainTimeoutS: 15, resetTimeoutS: 15 }
    : { rounds: 3, durationS: 10, warmupS: 3, concurrency: 32, drainTimeoutS: 30, resetTimeoutS: 20 };
  const dbName = ctx.db.freshName(name);
  const servers: ServerProcess[] = [];
  const client = new MongoClient(ctx.db.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const receiver = await setup.receiver(dbName);
    servers.push(receiver);
    const bare = await setup.bare(receiver, dbName);
    servers.push(bare);
    const warmPrefix = 'chameleon_w_';
    let pkg = await setup.package(receiver, dbName, warmPrefix);
    servers.push(pkg);
    const log = new ReceiptLog(receiver);
    const packageSide = (prefix: string): SideState => ({ server: pkg, collection: `${prefix}deliveries`, filter: { topic: PUBLISH_TOPIC }, jobs: `${prefix}jobs`, published: 0 });
    const sides: Record<Side, SideState> = {
      bare: { server: bare, collection: setup.baselineDeliveries?.collection ?? BARE_DELIVERIES, filter: setup.baselineDeliveries?.filter ?? {}, published: 0 },
      package: packageSide(warmPrefix),
    };
    await sleep(1_000); // the endpoint's creation ping
    await log.collect();

    for (const side of ['bare', 'package'] as const) await oneRound(ctx, client, dbName, log, side, sides[side], 0, s.warmupS, s);
    const rounds: Round[] = [];
    const resets: Reset[] = [];
    const latencies: Record<Side, number[]> = { bare: [], package: [] };
    for (let round = 1; round <= s.rounds; round++) {
      for (const side of ['bare', 'package'] as const) {
        if (side === 'package') {
          // A fresh instance on fresh collections (same database): nothing the previous round left
          // behind is worked on during later rounds. In the same warm process when hooks.close()
          // finishes in time; otherwise the process is killed and a new one started.
          const prefix = `chameleon_r${round}_`;
          const r0 = performance.now();
          try {
            await pkg.call<{ closeMs: number }>('reset', { prefix }, s.resetTimeoutS * 1000);
            resets.push({ round, closeMs: performance.now() - r0, freshProcess: false });
          } catch (error) {
            ctx.log(`  hooks.close() did not finish within ${s.resetTimeoutS} s (${error instanceof Error ? error.message : String(error)}): killing the package process, starting a new one`);
            await pkg.kill();
            pkg = await setup.package(receiver, dbName, prefix);
            servers.push(pkg);
            resets.push({ round, closeMs: Number.NaN, freshProcess: true });
          }
          sides.package = packageSide(prefix);
          await sleep(1_000); // the new endpoint's creation ping
        }
        const r = await oneRound(ctx, client, dbName, log, side, sides[side], round, s.durationS, s);
        rounds.push(r.round);
        for (const ms of r.latencies) latencies[side].push(ms);
      }
    }
    const b = summarise(rounds.filter((r) => r.side === 'bare'), latencies.bare);
    const p = summarise(rounds.filter((r) => r.side === 'package'), latencies.package);
    return { settings: s, rounds, bare: b, package: p, log, resets };
  } finally {
    for (const server of servers) await server.stop().catch(() => undefined);
    await client.close().catch(() => undefined);
    await ctx.db.drop(dbName);
  }
}

export const deliveryThroughput: Benchmark = {
  name: 'delivery-throughput',
  title: '(d) Publish → receive at 32 concurrent publishers vs a bare durable loop',
  async run(ctx) {
    const url = (receiver: ServerProcess) => `${receiver.baseUrl}/hooks`;
    const r = await runThroughput(ctx, 'delivery_throughput', {
      receiver: (dbName) => startServer({ kind: 'receiver', uri: ctx.db.uri, dbName }),
      bare: (receiver, dbName) => startServer({ kind: 'delivery-bare', uri: ctx.db.uri, dbName, options: { url: url(receiver) } }),
      package: (receiver, dbName, prefix) => startServer({ kind: 'delivery-package', uri: ctx.db.uri, dbName, options: { endpointUrl: url(receiver), prefix } }),
    });
    return buildSection(r.settings, r.rounds, r.bare, r.package, r.log, r.resets);
  },
};

/** The report section of a throughput run (the webhook wording; other benchmarks adapt its text). */
export function buildSection(s: Settings, rounds: Round[], b: Summary, p: Summary, log: ReceiptLog, resets: Reset[]): Section {
  const throughputRatio = ratio(p.throughput, b.throughput);
  const cpuRatio = ratio(p.cpuUsPerMessage, b.cpuUsPerMessage);
  const nothingLost = p.lost === 0 && p.duplicates === 0 && p.publishErrors === 0 && p.allSucceeded && p.received === p.published;
  const pkgRounds = rounds.filter((r) => r.side === 'package');
  const lat = (x: Summary['latency']): string[] => [fmt(x.p50, 1), fmt(x.p95, 1), fmt(x.p99, 1), fmt(x.max)];
  const summaryRow = (label: string, x: Summary): string[] => [
    label,
    fmt(x.throughput),
    fmt(x.inWindowRate),
    fmt(x.publishRate),
    ...lat(x.latency),
    fmt(x.published),
    fmt(x.received),
    `${x.lost} / ${x.duplicates} / ${x.publishErrors}`,
    x.allSucceeded ? 'yes' : '**no**',
    fmt(x.cpuUsPerMessage, 1),
  ];
  return {
    method: [
      `Three processes besides the database, all on 127.0.0.1: a **receiver** (plain \`node:http\` server; stamps each request with \`performance.timeOrigin + performance.now()\` on arrival, answers \`200\` once the body is read, checks the signature after answering), and one **publisher process per side**, each running ${s.concurrency} async loops doing \`await publish()\` back to back for ${s.durationS} s per round. ` +
        `${s.rounds} rounds per side alternate bare, package, bare, package…, after an unrecorded ${s.warmupS} s warm-up per side. A round ends when publishing has stopped **and** every message published in it has reached the receiver and its delivery document is \`succeeded\` — or after a drain timeout of ${s.drainTimeoutS} s, whatever comes first.`,
      '',
      `- **bare**: \`insertOne\` of a delivery document (with the payload) into \`${BARE_DELIVERIES}\` → body \`{id, kind, sent_at, data}\` signed (hex HMAC-SHA256) → undici \`request\` POST on a keep-alive \`Agent\` with a 7 s timeout → \`updateOne\` marking it done. All inline: a loop's next message starts once the previous one has been delivered and recorded.`,
      `- **package**: \`hooks.publish('acme', 'tour.started', fixtureData)\` with one endpoint subscribed (created with \`hooks.endpoints.create\`), \`delivery: {allowHttp: true, allowPrivateNetworks: true}\`, every other option at its default (${defaultsText()}). \`publish\` resolves once the webhook and its delivery are stored; the attempt (sign, POST, record) continues in the background. ` +
        `Before each measured package round the publisher process closes its instance (\`hooks.close()\`) and opens a fresh one on fresh collections (\`collectionPrefix\` \`chameleon_r<round>_\`, same database, same warm process), so deliveries a round left undelivered are not worked on during later rounds (bare rounds included); if \`close()\` takes over ${s.resetTimeoutS} s the process is killed and the round runs in a newly started one (see the notes).`,
      `- Because the two calls promise different things, the comparison is made at the receiver: **msg/s** = messages of the round received ÷ (last first-receipt − round start), i.e. including the time to deliver what was still queued when publishing stopped; **in-window msg/s** counts only receipts before publishing stopped; **publish/s** is publish calls resolved per second. **Latency** = publish call start (in the publisher process) → first receipt at the receiver, per message received, pooled over the measured rounds. **CPU µs/msg** = the publisher process's \`process.cpuUsage()\` delta from round start until the round ended (drained or timed out), ÷ messages published.`,
      `- **Nothing lost**: received = published (joined by \`X-Chameleon-Id\`), no id received twice, and the round's delivery documents counted in the database all \`succeeded\`. "not received" counts messages that had not reached the receiver when the round ended (drain timeout); "pending / Agenda jobs" are the round's delivery documents still \`pending\` and the jobs in its Agenda collection at that moment.`,
    ].join('\n'),
    tables: [
      {
        caption: 'Per round',
        align: ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
        headers: ['round', 'side', 'published', 'publish/s', 'msg/s', 'in-window msg/s', 'latency p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'publish call p50 / p99 ms', 'drain ms', 'not received / dup / errors', 'db succeeded / expected', 'pending / Agenda jobs at end', 'CPU µs/msg'],
        rows: rounds.map((r) => [
          String(r.round),
          r.side,
          fmt(r.published),
          fmt(r.publishRate),
          fmt(r.throughput),
          fmt(r.inWindowRate),
          ...lat(r.latency),
          `${fmt(r.call.p50, 1)} / ${fmt(r.call.p99, 1)}`,
          `${fmt(r.drainMs)}${r.timedOut ? ' (timed out)' : ''}`,
          `${fmt(r.lost)} / ${r.duplicates} / ${r.publishErrors}`,
          `${fmt(r.db.succeeded)} / ${fmt(r.expected)}`,
          r.side === 'package' ? `${fmt(r.db.pending)} / ${fmt(r.db.jobs)}` : '',
          fmt(r.cpuUsPerMessage, 1),
        ]),
      },
      {
        caption: 'Summary (rates: median of rounds; latency: every message received in the measured rounds; CPU: total ÷ messages)',
        headers: ['side', 'msg/s', 'in-window msg/s', 'publish/s', 'latency p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'published', 'received', 'not received / dup / errors', 'all succeeded', 'CPU µs/msg'],
        rows: [
          summaryRow('bare', b),
          summaryRow('package', p),
          ['**package / bare**', fmtRatio(throughputRatio), fmtRatio(ratio(p.inWindowRate, b.inWindowRate)), fmtRatio(ratio(p.publishRate, b.publishRate)), fmtRatio(ratio(p.latency.p50, b.latency.p50)), fmtRatio(ratio(p.latency.p95, b.latency.p95)), fmtRatio(ratio(p.latency.p99, b.latency.p99)), '', '', '', '', '', fmtRatio(cpuRatio)],
        ],
      },
    ],
    goals: [
      {
        goal: 'package throughput ≥ 0.7× bare (msg/s at the receiver)',
        met: throughputRatio >= 0.7,
        measured: `${fmtRatio(throughputRatio)} (${fmt(p.throughput)} vs ${fmt(b.throughput)} msg/s)`,
      },
      {
        goal: 'package publish→receive p99 ≤ 250 ms',
        met: p.latency.p99 <= 250 && p.lost === 0,
        measured: `${fmt(p.latency.p99, 1)} ms over the messages received (p50 ${fmt(p.latency.p50, 1)}, p95 ${fmt(p.latency.p95, 1)}, max ${fmt(p.latency.max)})${p.lost > 0 ? `, and ${fmt(p.lost)} not received within the ${s.drainTimeoutS} s drain timeout` : ''}; bare p99 ${fmt(b.latency.p99, 1)} ms`,
      },
      {
        goal: 'nothing lost: received = published, all deliveries succeeded, no duplicates',
        met: nothingLost,
        measured: `published ${fmt(p.published)}, received ${fmt(p.received)} (${fmt(p.lost)} not received within ${s.drainTimeoutS} s of the round's end), duplicates ${p.duplicates}, publish errors ${p.publishErrors}; every delivery succeeded in the database: ${p.allSucceeded ? 'yes' : `no (${pkgRounds.map((r) => `${fmt(r.db.succeeded)}/${fmt(r.expected)}`).join(', ')})`}`,
      },
    ],
    notes: [
      `Receiver totals: ${fmt(log.total)} requests (the measured rounds, the warm-ups and one endpoint-creation ping per package instance), ${log.badSignatures} with a bad signature.`,
      `Replacing the package instance before each measured round: ${resets.map((r) => (r.freshProcess ? `round ${r.round}: \`hooks.close()\` had not finished after ${s.resetTimeoutS} s, so the process was killed and the round ran in a newly started (cold) process` : `round ${r.round}: \`hooks.close()\` + new instance ${fmt(r.closeMs)} ms`)).join('; ')}.`,
      `Not counted anywhere: the database's and the receiver's CPU (all processes share this machine's ${os.cpus().length} CPUs, so msg/s depends on them; CPU µs/msg does not).`,
    ],
    raw: { settings: s, rounds, resets, summary: { bare: b, package: p, throughputRatio, cpuRatio } },
  };
}
