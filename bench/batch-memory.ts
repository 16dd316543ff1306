/**
 * (g) Host memory while 20 clients post a 16 MiB batch each at once: the in-flight byte budget
 * (`batches.inFlightBytes`, 64 MiB by default) admits what fits and answers the rest `503` with
 * `Retry-After` before reading their bodies; each client sends again after that wait. The
 * server process's RSS is sampled every 100 ms, with the kernel's peak RSS as a check.
 */
import { randomUUID } from 'node:crypto';
import { startServer, type ServerProcess } from './lib/server-process.js';
import { PACKAGE_BATCH_PATH } from './lib/workload.js';
import { minimalBatchBody, type BatchState } from './lib/batches.js';
import { BENCH_ACCOUNT } from './lib/workload.js';
import { fmt, fmtMB, median, sleep } from './lib/stats.js';
import type { Benchmark, Section } from './lib/types.js';

interface Client {
  accepted: boolean;
  id?: string;
  busy: number;
  /** Time of each `503` answer (request sent to answer read), ms. */
  busyMs: number[];
  retryAfter: string[];
  acceptedAfterMs: number;
  answerMs: number;
  other: string[];
}

const RSS_LIMIT = 1024 ** 3;
const SAMPLE_EVERY_MS = 100;

async function post(url: string, body: Buffer): Promise<{ status: number; retryAfter: string | null; json: unknown; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(600_000) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), json, ms: performance.now() - started };
}

async function batchState(baseUrl: string, id: string): Promise<BatchState | undefined> {
  const response = await fetch(`${baseUrl}/v3/observe/batches/${id}`, { headers: { 'x-account-secret': BENCH_ACCOUNT.secret } });
  return ((await response.json()) as { batch?: BatchState }).batch;
}

export const batchMemory: Benchmark = {
  name: 'batch-memory',
  title: '(g) Host RSS while 20 clients each post a 16 MiB batch at once',
  async run(ctx) {
    const clients = 20;
    const count = ctx.quick ? 26_500 : 265_000;
    const applyWindowMs = ctx.quick ? 5_000 : 20_000;
    const dbName = ctx.db.freshName('batch_memory');
    let server: ServerProcess | undefined;
    try {
      // Quick: small bodies, and a budget of about two of them so that some clients are still refused.
      const options = ctx.quick ? { limits: { batchBytes: 2 * 1024 * 1024 }, batches: { inFlightBytes: 4 * 1024 * 1024 } } : undefined;
      server = await startServer({ kind: 'package', uri: ctx.db.uri, dbName, options });
      const s = server;
      // One body for every client (the same uids: the database holds one set), padded to 16 MiB in a full run.
      const uids = Array.from({ length: count }, () => randomUUID());
      const json = minimalBatchBody(count, 'gold', uids);
      const target = ctx.quick ? json.length : 16 * 1024 * 1024;
      const body = Buffer.from(json + ' '.repeat(Math.max(0, target - json.length)));
      const idle = await s.memory();
      const samples: number[] = [idle.rss];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          samples.push((await s.memory().catch(() => ({ rss: 0 }))).rss);
          await sleep(SAMPLE_EVERY_MS);
        }
      })();
      const t0 = performance.now();
      const stopSampling = async (): Promise<void> => {
        sampling = false;
        await sampler;
      };
      const results = await Promise.all(
        Array.from({ length: clients }, async (): Promise<Client> => {
          const c: Client = { accepted: false, busy: 0, busyMs: [], retryAfter: [], acceptedAfterMs: 0, answerMs: 0, other: [] };
          while (!c.accepted && c.other.length < 3) {
            const r = await post(s.baseUrl + PACKAGE_BATCH_PATH, body).catch((error: unknown) => {
              const cause = (error as { cause?: { code?: string; message?: string } }).cause;
              return { status: 0, retryAfter: null, json: undefined, ms: 0, error: `${String(error)} (${cause?.code ?? cause?.message ?? 'no cause'})` };
            });
            if (r.status === 0) {
              c.other.push('error' in r ? r.error : 'network error');
              await sleep(1000);
            } else if (r.status === 202) {
              c.accepted = true;
              c.id = (r.json as { batch: { id: string } }).batch.id;
              c.acceptedAfterMs = performance.now() - t0;
              c.answerMs = r.ms;
            } else if (r.status === 503) {
              c.busy += 1;
              c.busyMs.push(r.ms);
              c.retryAfter.push(r.retryAfter ?? 'none');
              await sleep(Number(r.retryAfter ?? 1) * 1000);
            } else {
              c.other.push(String(r.status));
            }
          }
          return c;
        }),
      ).catch(async (error: unknown) => {
        await stopSampling(); // or the sampler would keep the run alive
        throw error;
      });
      const allAcceptedMs = performance.now() - t0;
      ctx.log(`  all ${clients} batches answered within ${fmt(allAcceptedMs)} ms; applying for ${applyWindowMs / 1000} s more`);
      await sleep(applyWindowMs);
      await stopSampling();
      const kernelPeak = (await s.resourceUsage()).maxRSS * 1024;
      const states = await Promise.all(results.map((c) => (c.id ? batchState(s.baseUrl, c.id) : Promise.resolve(undefined))));
      const peak = Math.max(kernelPeak, ...samples);
      const accepted = results.filter((c) => c.accepted).length;
      const busyTotal = results.reduce((n, c) => n + c.busy, 0);
      const retryHeaders = [...new Set(results.flatMap((c) => c.retryAfter))];
      const applied = states.reduce((n, st) => n + (st?.applied_items ?? 0), 0);
      const errors = states.reduce((n, st) => n + (st?.errors_count ?? 0), 0);
      const failures = results.flatMap((c) => c.other);
      const met = peak < RSS_LIMIT && accepted === clients && !retryHeaders.includes('none') && errors === 0 && failures.length === 0;
      ctx.log(`  peak RSS ${fmtMB(peak)} (kernel ${fmtMB(kernelPeak)}), ${busyTotal} answers 503, ${fmt(applied)} items applied so far`);
      const section: Section = {
        method:
          `A fresh package server process (default options: \`batches.inFlightBytes\` 64 MiB, i.e. four 16 MiB bodies); ${clients} clients post at once a ${fmtMB(body.length)} body of ${fmt(count)} minimal profiles ` +
          '(the same body each: the database holds one set of uids); a client answered `503` waits `Retry-After` seconds and sends again. ' +
          `This process samples the server's \`process.memoryUsage().rss\` every ${SAMPLE_EVERY_MS} ms over IPC while the batches are received and for ${applyWindowMs / 1000} s of background application after the last answer, then reads the kernel's peak RSS (\`maxRSS\`). MB = 10^6 bytes.`,
        tables: [
          {
            headers: ['clients', 'accepted (202)', '503 answers', 'median 503 ms', 'Retry-After', 'median 202 ms', 'all answered after ms', 'idle RSS', 'peak RSS (sampled)', 'peak RSS (kernel)', 'items applied at the end', 'other answers / network errors'],
            rows: [[
              String(clients), String(accepted), String(busyTotal), fmt(median(results.flatMap((c) => c.busyMs))), retryHeaders.join(', ') || '–',
              fmt(median(results.filter((c) => c.accepted).map((c) => c.answerMs))), fmt(allAcceptedMs), fmtMB(idle.rss), fmtMB(Math.max(...samples)), fmtMB(kernelPeak), `${fmt(applied)} of ${fmt(clients * count)}`, failures.length === 0 ? 'none' : failures.join('; ').slice(0, 300),
            ]],
          },
        ],
        goals: [
          {
            goal: `${clients} concurrent 16 MiB batches keep the host's RSS under 1 GiB (every batch accepted after its 503s, each 503 with Retry-After)`,
            met,
            measured: `${fmtMB(peak)} peak; ${accepted}/${clients} accepted, ${busyTotal} × 503${errors === 0 ? '' : `, ${errors} item errors`}`,
          },
        ],
        notes: [
          `Application goes on in the background at \`batches.concurrency\` (2) batches per process, one chunk in memory each; ${fmt(applied)} of ${fmt(clients * count)} item updates were applied when sampling stopped (the rest are resumed by any process; this benchmark stops there).`,
          'The server process runs the TypeScript sources through tsx, whose loader thread adds about 40 MB of RSS.',
        ],
        raw: { clients, count, bodyBytes: body.length, idle, samples: samples.length, peak, kernelPeak, results, states },
      };
      return section;
    } finally {
      await server?.stop().catch(() => undefined);
      await ctx.db.drop(dbName);
    }
  },
};
