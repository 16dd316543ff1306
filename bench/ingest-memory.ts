/**
 * (c) Memory of the server process while it ingests 100,000 profiles in batches, sampled
 * every 100 ms over the control channel, with the kernel's peak RSS (`maxRSS`) as a check
 * on what sampling could miss. Baseline: the bare Express + `bulkWrite` app, same batches.
 */
import { randomUUID } from 'node:crypto';
import { startServer, type ServerProcess } from './lib/server-process.js';
import { postJson } from './lib/http.js';
import { BARE_BATCH_PATH, PACKAGE_BATCH_PATH, batchItems } from './lib/workload.js';
import { fmt, fmtMB, fmtRatio, median, ratio, sleep } from './lib/stats.js';
import type { Benchmark, BenchContext, Section } from './lib/types.js';
import type { ServerKind } from './servers/index.js';
import { BARE_COLLECTION } from './lib/bare.js';

interface Sample {
  ms: number;
  rss: number;
  heapUsed: number;
}

interface MemoryRun {
  kind: ServerKind;
  idle: Sample;
  samples: number;
  peakRss: number;
  peakHeapUsed: number;
  /** The kernel's peak RSS of the process (getrusage), bytes. */
  maxRss: number;
  final: Sample;
  /** Memory after a forced full GC at the end: what the process really retains. */
  afterGc: Sample;
  batchMs: number[];
  /** Until every item was stored (for the package: its background apply included). */
  totalMs: number;
  /** Until the last batch was answered. */
  answeredMs: number;
  failedBatches: number;
  itemErrors: number;
  /** The largest request body sent, bytes. */
  largestBodyBytes: number;
}

const LIMIT_BYTES = 300e6;
const SAMPLE_EVERY_MS = 100;
/** How long the package may take to apply its batches in the background. */
const APPLY_TIMEOUT_MS = 300_000;

/** The body of batch `b`: `size` profiles, fresh uids `<prefix><b>-<i>`. */
function regularBatch(prefix: string, size: number): (b: number) => string {
  return (b) => JSON.stringify({ profiles: batchItems(`${prefix}${b}-`, size) });
}

/** SPEC §3's worst case: one body of `count` minimal profiles `{"uid":"<uuid>","plan":"gold"}` (265,000 ≈ 16 MiB). */
function minimalBatch(count: number): () => string {
  return () => JSON.stringify({ profiles: Array.from({ length: count }, () => ({ uid: randomUUID(), plan: 'gold' })) });
}

async function ingestWhileSampling(
  ctx: BenchContext,
  kind: ServerKind,
  dbName: string,
  batches: number,
  size: number,
  bodyOf: (b: number) => string,
  /** For the package, whose batches are applied in the background: the stored count to wait for while sampling. */
  applied?: { collection: string; count: number },
): Promise<MemoryRun> {
  let server: ServerProcess | undefined;
  try {
    server = await startServer({ kind, uri: ctx.db.uri, dbName });
    const s = server;
    const t0 = performance.now();
    const sample = async (): Promise<Sample> => {
      const m = await s.memory();
      return { ms: performance.now() - t0, rss: m.rss, heapUsed: m.heapUsed };
    };
    await sleep(500);
    const idle = await sample();
    const samples: Sample[] = [idle];
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return; // the server is busy; the next tick asks again
      inFlight = true;
      sample()
        .then((x) => samples.push(x))
        .catch(() => undefined)
        .finally(() => {
          inFlight = false;
        });
    }, SAMPLE_EVERY_MS);
    const path = kind === 'package' ? PACKAGE_BATCH_PATH : BARE_BATCH_PATH;
    const batchMs: number[] = [];
    let failedBatches = 0;
    let itemErrors = 0;
    let largestBodyBytes = 0;
    const start = performance.now();
    try {
      for (let b = 0; b < batches; b++) {
        // Built per batch so this process never holds more than one batch.
        const body = bodyOf(b);
        largestBodyBytes = Math.max(largestBodyBytes, Buffer.byteLength(body));
        const response = await postJson(s.baseUrl + path, body, 300_000);
        batchMs.push(response.ms);
        const errorsCount = (response.body as { errors_count?: number } | undefined)?.errors_count ?? 0;
        if (response.status !== 202) failedBatches += 1;
        itemErrors += errorsCount;
      }
      // The package answers 202 once a batch is recorded and applies it in the background: memory
      // is sampled until every item is stored, so the figure covers the apply too.
      const answeredMs = performance.now() - start;
      if (applied) {
        const deadline = Date.now() + APPLY_TIMEOUT_MS;
        while ((await ctx.db.count(dbName, applied.collection)) < applied.count && Date.now() < deadline) await sleep(250);
      }
      const totalMs = performance.now() - start;
      await sleep(1_500); // the bookkeeping flush, and what memory settles to
      clearInterval(timer);
      const final = await sample();
      samples.push(final);
      const usage = await s.resourceUsage();
      const gcMemory = await s.memoryAfterGc();
      const afterGc: Sample = { ms: performance.now() - t0, rss: gcMemory.rss, heapUsed: gcMemory.heapUsed };
      const run: MemoryRun = {
        kind,
        idle,
        samples: samples.length,
        peakRss: Math.max(...samples.map((x) => x.rss)),
        peakHeapUsed: Math.max(...samples.map((x) => x.heapUsed)),
        maxRss: usage.maxRSS * 1024,
        final,
        afterGc,
        batchMs,
        totalMs,
        answeredMs,
        failedBatches,
        itemErrors,
        largestBodyBytes,
      };
      ctx.log(
        `  ${kind.padEnd(7)} idle RSS ${fmtMB(idle.rss)}, peak RSS ${fmtMB(run.peakRss)} (kernel max ${fmtMB(run.maxRss)}), peak heap ${fmtMB(run.peakHeapUsed)}, ` +
          `${fmt(((batches * size) / totalMs) * 1000)} profiles/s, ${failedBatches} failed batches, ${itemErrors} item errors`,
      );
      return run;
    } finally {
      clearInterval(timer);
    }
  } finally {
    await server?.stop().catch(() => undefined);
  }
}

export const ingestMemory: Benchmark = {
  name: 'ingest-memory',
  title: '(c) Memory while ingesting 100,000 profiles in batches',
  async run(ctx) {
    const batches = ctx.quick ? 4 : 10;
    const size = ctx.quick ? 2_500 : 10_000;
    const dbName = ctx.db.freshName('ingest_memory');
    try {
      // Bare first, then the package, each in a fresh server process.
      const bare = await ingestWhileSampling(ctx, 'bare', dbName, batches, size, regularBatch('m', size));
      const pkg = await ingestWhileSampling(ctx, 'package', dbName, batches, size, regularBatch('m', size), { collection: 'chameleon_profiles', count: batches * size });
      // Not one of the brief's goals: the largest batch SPEC §3 says must be accepted with bounded memory.
      const minimalCount = ctx.quick ? 26_500 : 265_000;
      ctx.log(`  package, one batch of ${fmt(minimalCount)} minimal profiles`);
      const big = await ingestWhileSampling(ctx, 'package', dbName, 1, minimalCount, minimalBatch(minimalCount), { collection: 'chameleon_profiles', count: batches * size + minimalCount });
      const stored = { bare: await ctx.db.count(dbName, BARE_COLLECTION), package: await ctx.db.count(dbName, 'chameleon_profiles') };
      const expected = { bare: batches * size, package: batches * size + minimalCount };
      const peak = (r: MemoryRun): number => Math.max(r.peakRss, r.maxRss);
      const row = (label: string, r: MemoryRun): string[] => [
        label,
        fmtMB(r.idle.rss),
        fmtMB(r.peakRss),
        fmtMB(r.maxRss),
        fmtMB(r.peakHeapUsed),
        fmtMB(r.final.rss),
        fmtMB(r.afterGc.heapUsed),
        fmt(median(r.batchMs)),
        fmt(((batches * size) / r.totalMs) * 1000),
        String(r.samples),
        `${r.failedBatches} / ${r.itemErrors}`,
      ];
      const clean = pkg.failedBatches === 0 && pkg.itemErrors === 0 && stored.package === expected.package;
      const section: Section = {
        method:
          `${batches} batches of ${fmt(size)} profiles (${fmt(batches * size)} in all, fresh uids, one batch at a time) are POSTed to a fresh server process; ` +
          `this process asks it for \`process.memoryUsage()\` every ${SAMPLE_EVERY_MS} ms over IPC (a tick is skipped while the previous answer is pending, so a busy event loop samples less often), ` +
          `and reads \`process.resourceUsage().maxRSS\` (the kernel's peak RSS, which sampling cannot miss) at the end; ` +
          `"RSS after" is 1.5 s after the last answer, "heapUsed after GC" after a forced full collection (what the process really retains, versus garbage not yet collected). ` +
          `Baseline: the bare app (\`express.json({limit: 16 MiB})\` + one ordered \`bulkWrite\` per batch) with the same batches. MB = 10^6 bytes.`,
        tables: [
          {
            headers: ['server', 'idle RSS', 'peak RSS (sampled)', 'peak RSS (kernel)', 'peak heapUsed', 'RSS after', 'heapUsed after GC', 'median batch ms', 'profiles/s', 'samples', 'failed batches / item errors'],
            rows: [
              row('bare', bare),
              row('package', pkg),
              ['**package / bare**', fmtRatio(ratio(pkg.idle.rss, bare.idle.rss)), fmtRatio(ratio(pkg.peakRss, bare.peakRss)), fmtRatio(ratio(pkg.maxRss, bare.maxRss)), fmtRatio(ratio(pkg.peakHeapUsed, bare.peakHeapUsed)), '', fmtRatio(ratio(pkg.afterGc.heapUsed, bare.afterGc.heapUsed)), fmtRatio(ratio(median(pkg.batchMs), median(bare.batchMs))), '', '', ''],
            ],
          },
        ],
        goals: [
          {
            goal: `package peak RSS < 300 MB while ingesting ${fmt(batches * size)} profiles`,
            met: peak(pkg) < LIMIT_BYTES && clean,
            measured: `${fmtMB(peak(pkg))} (bare ${fmtMB(peak(bare))}; package growth over idle ${fmtMB(peak(pkg) - pkg.idle.rss)})${clean ? '' : '; some batches or items failed'}`,
          },
        ],
        notes: [
          `Documents stored: package ${fmt(stored.package)} (expected ${fmt(expected.package)}, including the largest batch below), bare ${fmt(stored.bare)} (expected ${fmt(expected.bare)}).`,
          `RSS growth over idle while ingesting: package ${fmtMB(peak(pkg) - pkg.idle.rss)}, bare ${fmtMB(peak(bare) - bare.idle.rss)}; idle heapUsed: package ${fmtMB(pkg.idle.heapUsed)}, bare ${fmtMB(bare.idle.heapUsed)}.`,
          `Both server processes run the TypeScript sources through tsx (\`node --import tsx\`), whose loader thread adds about 40 MB of RSS to each (a bare \`node\` process starts at ~41 MB, \`node --import tsx\` at ~80 MB on this machine); the built package (dist/) would not carry it.`,
          `**Largest batch (SPEC §3, not a goal of this benchmark):** one ${fmtMB(big.largestBodyBytes)} body of ${fmt(minimalCount)} minimal profiles \`{"uid":"<uuid>","plan":"gold"}\` to a fresh package process: ` +
            `answered in ${fmt(big.answeredMs / 1000, 1)} s (all stored after ${fmt(big.totalMs / 1000, 1)} s), ${big.failedBatches === 0 ? 'accepted (202)' : '**not accepted**'}, ${fmt(big.itemErrors)} item errors; ` +
            `peak RSS ${fmtMB(Math.max(big.peakRss, big.maxRss))} (idle ${fmtMB(big.idle.rss)}), peak heapUsed ${fmtMB(big.peakHeapUsed)}, heapUsed after GC ${fmtMB(big.afterGc.heapUsed)}, ${big.samples} samples.`,
        ],
        raw: { batches, size, stored, expected, bare, package: pkg, largestBatch: { count: minimalCount, ...big } },
      };
      return section;
    } finally {
      await ctx.db.drop(dbName);
    }
  },
};
