/**
 * `npm run bench [-- --only=<name>[,<name>] --quick]`: runs the benchmarks against
 * MONGODB_URI or a local mongo-java-server, and writes bench/RESULTS.md (overwritten each run)
 * plus the raw figures in bench/.tmp/results.json.
 *
 * To add a benchmark (e.g. delivery): write a module exporting a `Benchmark` and add it to
 * BENCHMARKS below; server apps it needs go in bench/servers/ (see servers/index.ts).
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from './lib/args.js';
import { buildPackage } from './lib/shipped.js';
import { openBenchDatabase, type BenchDatabase } from './lib/db.js';
import { codeVersion, machineInfo } from './lib/machine.js';
import { renderReport, writeText, type Outcome } from './lib/results.js';
import { killStartedServers } from './lib/server-process.js';
import type { Benchmark } from './lib/types.js';
import { ingestSingle } from './ingest-single.js';
import { ingestCustomerio } from './ingest-customerio.js';
import { propertyGrowth } from './property-growth.js';
import { ingestBatch } from './ingest-batch.js';
import { ingestMemory } from './ingest-memory.js';
import { batchAsync } from './batch-async.js';
import { batchMemory } from './batch-memory.js';
import { deliveryThroughput } from './delivery-throughput.js';
import { deliveryBacklog } from './delivery-backlog.js';
import { dashboardApi } from './dashboard-api.js';
import { customerioThroughput } from './customerio-throughput.js';
import { orderedDelivery } from './ordered-delivery.js';

/** Every benchmark, in running order. */
const BENCHMARKS: readonly Benchmark[] = [ingestSingle, ingestBatch, ingestMemory, batchAsync, batchMemory, deliveryThroughput, deliveryBacklog, dashboardApi, ingestCustomerio, propertyGrowth, customerioThroughput, orderedDelivery];

/** The whole run is abandoned (servers killed, database stopped) after this long. */
const RUN_DEADLINE_MS = 35 * 60_000;

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    log(`npm run bench -- [--quick] [--only=<name>[,<name>…]]\nbenchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return 0;
  }
  const unknown = (args.only ?? []).filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`Unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  const selected = args.only ? BENCHMARKS.filter((b) => args.only!.includes(b.name)) : [...BENCHMARKS];

  // The servers run the package as it ships: the compiled dist/ (bench/lib/shipped.ts).
  log('building dist/ (npm run build)');
  buildPackage();
  const started = new Date();
  const t0 = performance.now();
  const loadAtStart = os.loadavg();
  log(`chameleon-hooks bench: ${selected.map((b) => b.name).join(', ')}${args.quick ? ' (quick)' : ''}`);
  let db: BenchDatabase | undefined;
  const outcomes: Outcome[] = [];
  try {
    db = await openBenchDatabase();
    log(`database: ${db.label}`);
    for (const benchmark of selected) {
      log(`\n▶ ${benchmark.title}`);
      const b0 = performance.now();
      const load0 = os.loadavg()[0]!;
      log(`  (1-minute load average ${load0.toFixed(2)} on ${os.cpus().length} CPUs)`);
      try {
        const section = await benchmark.run({ db, quick: args.quick, log });
        outcomes.push({ benchmark, section, seconds: (performance.now() - b0) / 1000, load: [load0, os.loadavg()[0]!] });
        for (const g of section.goals) log(`  goal ${g.met ? 'met    ' : 'NOT MET'}: ${g.goal} — ${g.measured}`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`  FAILED: ${error instanceof Error ? (error.stack ?? message) : message}`);
        outcomes.push({ benchmark, error: message, seconds: (performance.now() - b0) / 1000, load: [load0, os.loadavg()[0]!] });
      }
    }
  } finally {
    killStartedServers();
    await db?.stop().catch((error: unknown) => log(`stopping the database failed: ${String(error)}`));
  }

  const mode = [
    args.quick ? '**quick** (smoke run: smaller counts and durations; not for comparison)' : 'full',
    args.only ? `only ${args.only.join(', ')}` : 'all benchmarks',
  ].join(', ');
  const report = {
    date: started,
    machine: machineInfo(),
    database: db?.label ?? 'none (could not start)',
    code: codeVersion(repoRoot),
    mode,
    outcomes,
    totalSeconds: (performance.now() - t0) / 1000,
    loadAtStart,
    loadAtEnd: os.loadavg(),
  };
  writeText(join(benchDir, 'RESULTS.md'), renderReport(report));
  writeText(join(benchDir, '.tmp', 'results.json'), JSON.stringify({ ...report, outcomes: outcomes.map((o) => ({ name: o.benchmark.name, ...o, benchmark: undefined })) }, null, 2));
  log(`\nwrote bench/RESULTS.md (${Math.round(report.totalSeconds)} s)`);
  return outcomes.some((o) => o.error) ? 1 : 0;
}

const deadline = setTimeout(() => {
  log(`bench: over ${RUN_DEADLINE_MS / 60_000} minutes, giving up`);
  killStartedServers();
  process.exit(2);
}, RUN_DEADLINE_MS);
deadline.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killStartedServers();
    process.exit(130);
  });
}
process.on('exit', killStartedServers);

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    killStartedServers();
    process.exitCode = 1;
  },
);
