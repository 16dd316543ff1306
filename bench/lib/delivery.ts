/**
 * What the delivery benchmarks share: the account and topics, the fixture payload, the
 * publishing loops the publisher processes run (closed-loop rounds and paced runs), and the
 * orchestrator's log of what the receiver process got (joined with the publish start times).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../../lib/options.js';
import type { ServerProcess } from './server-process.js';
import { percentile, sleep } from './stats.js';

/** The static account of the delivery benchmarks (fixed secrets: everything stays on loopback). */
export const DELIVERY_ACCOUNT = Object.freeze({
  id: 'acme',
  secret: 'acct_bench_acme_0123456789abcdef0123',
  webhookSecret: 'whsec_bench_acme_0123456789abcdef0123',
});

/** The Customer.io workspace of the Customer.io benchmark (a local Track API receiver). */
export const TRACK_SITE = 'bench_site';
export const TRACK_KEY = 'bench_track_api_key_0123456789';

/** The topic published in the benchmarks. */
export const PUBLISH_TOPIC = 'tour.started';
/** The topic of the backlog's deliveries (their endpoints subscribe to it only). */
export const BACKLOG_TOPIC = 'tour.completed';
/** The bare loop's collection (the package's are prefixed `chameleon_`). */
export const BARE_DELIVERIES = 'bare_deliveries';
/** The request timeout of both sides (SPEC §5). */
export const REQUEST_TIMEOUT_MS = 7_000;

/** The `data` of a topic's fixture in test/fixtures/topics/ (the example payload of SPEC §5). */
export function topicData(topic: string): Record<string, unknown> {
  const path = fileURLToPath(new URL(`../../test/fixtures/topics/${topic}.json`, import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { data: Record<string, unknown> }).data;
}

/** The delivery defaults in force, read from the package (they change as it is tuned). */
export function defaultsText(): string {
  const d = DEFAULTS.delivery;
  return `\`concurrency\` ${d.concurrency}, \`perEndpointConcurrency\` ${d.perEndpointConcurrency}, \`pollIntervalMs\` ${d.pollIntervalMs}, \`sweepIntervalMs\` ${d.sweepIntervalMs}`;
}

/** Wall-clock time in ms with sub-ms precision, comparable across processes. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** What a publisher process did in one run. */
export interface PublishRun {
  /** When the run started and ended ({@link wallNow}). */
  t0: number;
  t1: number;
  /** The ids published, with the time each publish call started and resolved. */
  ids: string[];
  starts: number[];
  ends: number[];
  errors: number;
  firstError?: string;
}

/** Publishes one message and resolves with its id (`X-Chameleon-Id`). */
export type PublishOne = () => Promise<string>;

function newRun(): PublishRun {
  return { t0: wallNow(), t1: 0, ids: [], starts: [], ends: [], errors: 0 };
}

async function publishRecorded(run: PublishRun, publishOne: PublishOne): Promise<void> {
  const start = wallNow();
  try {
    const id = await publishOne();
    run.ids.push(id);
    run.starts.push(start);
    run.ends.push(wallNow());
  } catch (error) {
    run.errors += 1;
    run.firstError ??= error instanceof Error ? error.message : String(error);
  }
}

/** `concurrency` loops each doing `await publishOne()` back to back for `durationMs`. */
export async function closedLoopRun(publishOne: PublishOne, args: { durationMs: number; concurrency: number }): Promise<PublishRun> {
  const run = newRun();
  const deadline = performance.now() + args.durationMs;
  await Promise.all(
    Array.from({ length: args.concurrency }, async () => {
      while (performance.now() < deadline) await publishRecorded(run, publishOne);
    }),
  );
  run.t1 = wallNow();
  return run;
}

/** `count` publishes started at a steady `ratePerSec` (each on its own, not waiting for the previous). */
export async function pacedRun(publishOne: PublishOne, args: { count: number; ratePerSec: number }): Promise<PublishRun> {
  const run = newRun();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < args.count; i++) {
    const wait = started + (i * 1000) / args.ratePerSec - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(publishRecorded(run, publishOne));
  }
  await Promise.all(pending);
  run.t1 = wallNow();
  return run;
}

/** What the receiver process hands over on `take` (and then forgets). */
export interface ReceiverTake {
  ids: string[];
  times: number[];
  paths: string[];
  badSignatures: number;
  total: number;
}

/** Everything the receiver got, by `X-Chameleon-Id`, kept in the orchestrator. */
export class ReceiptLog {
  private readonly byId = new Map<string, number[]>();
  private readonly byPath = new Map<string, number>();
  total = 0;
  badSignatures = 0;

  constructor(private readonly receiver: ServerProcess) {}

  /** Fetches what the receiver got since the last call. */
  async collect(): Promise<void> {
    const take = await this.receiver.call<ReceiverTake>('take', undefined, 30_000);
    this.total += take.total;
    this.badSignatures += take.badSignatures;
    for (let i = 0; i < take.ids.length; i++) {
      const id = take.ids[i]!;
      const times = this.byId.get(id);
      if (times) times.push(take.times[i]!);
      else this.byId.set(id, [take.times[i]!]);
      const path = take.paths[i]!;
      this.byPath.set(path, (this.byPath.get(path) ?? 0) + 1);
    }
  }

  /** Every receipt time of `id` (more than one is a duplicate). */
  times(id: string): number[] | undefined {
    return this.byId.get(id);
  }

  /** Requests received on `path`. */
  onPath(path: string): number {
    return this.byPath.get(path) ?? 0;
  }

  /** How many of `ids` have arrived. */
  countReceived(ids: readonly string[]): number {
    let n = 0;
    for (const id of ids) if (this.byId.has(id)) n += 1;
    return n;
  }

  /**
   * Collects until every one of `ids` has arrived or `timeoutMs` passes; resolves with how many
   * arrived. `onProgress` hears the count after each collection (and is awaited).
   */
  async waitFor(ids: readonly string[], timeoutMs: number, pollMs = 100, onProgress?: (received: number) => Promise<void> | void): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      await this.collect();
      const received = this.countReceived(ids);
      await onProgress?.(received);
      if (received === ids.length || performance.now() > deadline) return received;
      await sleep(pollMs);
    }
  }
}

/** The join of a run's publishes with their receipts. */
export interface Arrivals {
  published: number;
  received: number;
  lost: number;
  /** Ids received more than once (a duplicate attempt reached the receiver). */
  duplicates: number;
  /** Publish start → first receipt, ms, per received message. */
  latencies: number[];
  /** The last first-receipt time of the run's messages. */
  lastReceipt: number;
  firstReceipt: number;
  /** First receipts within [t0, t1] (the publishing window). */
  receivedInWindow: number;
}

/** Joins `run`'s publishes with `log`. */
export function arrivals(run: PublishRun, log: ReceiptLog): Arrivals {
  const latencies: number[] = [];
  let duplicates = 0;
  let lastReceipt = Number.NaN;
  let firstReceipt = Number.NaN;
  let receivedInWindow = 0;
  for (let i = 0; i < run.ids.length; i++) {
    const times = log.times(run.ids[i]!);
    if (!times) continue;
    if (times.length > 1) duplicates += 1;
    const first = Math.min(...times);
    latencies.push(first - run.starts[i]!);
    if (!(first <= lastReceipt)) lastReceipt = first;
    if (!(first >= firstReceipt)) firstReceipt = first;
    if (first <= run.t1) receivedInWindow += 1;
  }
  return {
    published: run.ids.length,
    received: latencies.length,
    lost: run.ids.length - latencies.length,
    duplicates,
    latencies,
    lastReceipt,
    firstReceipt,
    receivedInWindow,
  };
}

/** p50/p95/p99/max of `values`. */
export function spread(values: readonly number[]): { p50: number; p95: number; p99: number; max: number } {
  const max = values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  return { p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: values.length ? max : Number.NaN };
}
