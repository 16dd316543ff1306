/**
 * (f) The 265,000-profile batch (SPEC §3's size, ~15.4 MiB): answer time and time until fully
 * applied in the background, against the synchronous path it replaced (the same functions,
 * every chunk written before the answer), alternating, fresh uids each round.
 */
import { startServer, type ServerProcess } from './lib/server-process.js';
import { postJson } from './lib/http.js';
import { PACKAGE_BATCH_PATH } from './lib/workload.js';
import { minimalBatchBody, waitForBatch } from './lib/batches.js';
import { fmt, fmtRatio, median, ratio, sleep } from './lib/stats.js';
import type { Benchmark, Section } from './lib/types.js';

interface Round {
  round: number;
  side: 'synchronous' | 'background';
  /** Request sent to answer read. */
  answerMs: number;
  /** Request sent to every item applied (the answer, for the synchronous path). */
  appliedMs: number;
  ok: boolean;
  detail: string;
}

const ANSWER_GOAL_MS = 5_000;
const APPLY_GOAL_RATIO = 1.2;

export const batchAsync: Benchmark = {
  name: 'batch-async',
  title: '(f) 265,000-profile batch: answer and background apply vs the synchronous path',
  async run(ctx) {
    const count = ctx.quick ? 26_500 : 265_000;
    const rounds = ctx.quick ? 1 : 3;
    const syncDb = ctx.db.freshName('batch_sync');
    const asyncDb = ctx.db.freshName('batch_async');
    let sync: ServerProcess | undefined;
    let background: ServerProcess | undefined;
    try {
      sync = await startServer({ kind: 'package-sync', uri: ctx.db.uri, dbName: syncDb });
      background = await startServer({ kind: 'package', uri: ctx.db.uri, dbName: asyncDb });
      // Unrecorded warm-up each way (JIT of Node and of the database server).
      const warm = minimalBatchBody(5_000);
      await postJson(sync.baseUrl + PACKAGE_BATCH_PATH, warm, 300_000);
      const w = await postJson(background.baseUrl + PACKAGE_BATCH_PATH, warm, 300_000);
      await waitForBatch(background.baseUrl, (w.body as { batch: { id: string } }).batch.id);
      const results: Round[] = [];
      let bodyBytes = 0;
      for (let round = 1; round <= rounds; round++) {
        const body = minimalBatchBody(count);
        bodyBytes = Buffer.byteLength(body);
        const s = await postJson(sync.baseUrl + PACKAGE_BATCH_PATH, body, 600_000);
        const sErrors = (s.body as { errors_count?: number }).errors_count;
        results.push({ round, side: 'synchronous', answerMs: s.ms, appliedMs: s.ms, ok: s.status === 202 && sErrors === 0, detail: `${s.status}, errors_count ${sErrors ?? '?'}` });
        await sleep(1_500);
        const started = performance.now();
        const b = await postJson(background.baseUrl + PACKAGE_BATCH_PATH, minimalBatchBody(count), 600_000);
        const id = (b.body as { batch?: { id: string } }).batch?.id;
        const state = b.status === 202 && id ? await waitForBatch(background.baseUrl, id) : undefined;
        const appliedMs = performance.now() - started;
        const ok = state?.state === 'done' && state.applied_items === count && state.errors_count === 0;
        results.push({ round, side: 'background', answerMs: b.ms, appliedMs, ok, detail: `${b.status}, ${state ? `${state.state}, ${fmt(state.applied_items)} applied, errors_count ${state.errors_count}` : 'no batch id'}` });
        ctx.log(`  round ${round}: synchronous ${fmt(s.ms)} ms; background answered in ${fmt(b.ms)} ms, applied in ${fmt(appliedMs)} ms`);
        await sleep(1_500);
      }
      const stored = { synchronous: await ctx.db.count(syncDb, 'chameleon_profiles'), background: await ctx.db.count(asyncDb, 'chameleon_profiles') };
      const expected = rounds * count + 5_000;
      const of = (side: Round['side']) => results.filter((r) => r.side === side);
      const syncMs = median(of('synchronous').map((r) => r.appliedMs));
      const answerMs = median(of('background').map((r) => r.answerMs));
      const appliedMs = median(of('background').map((r) => r.appliedMs));
      const allOk = results.every((r) => r.ok) && stored.synchronous === expected && stored.background === expected;
      const section: Section = {
        method:
          `${rounds} round(s), each a fresh body of ${fmt(count)} minimal profiles \`{"uid":"<uuid>","plan":"gold"}\` (${fmt(bodyBytes / 1024 / 1024, 1)} MiB) ` +
          'posted first to the synchronous path, then to the package, each in its own server process and database, after an unrecorded 5,000-item warm-up each way. ' +
          '**Synchronous**: the package\'s batch path as it was (bench/servers/package-sync-app.ts: the same item checks and chunk application, every 1,000-item chunk written before the `202`). ' +
          '**Background**: the package; answer = request sent to `202` read (items checked, chunks recorded); applied = request sent to `GET /v3/observe/batches/:id` reporting `done` (polled every 50 ms).',
        tables: [
          {
            headers: ['round', 'side', 'answer ms', 'applied ms', 'ok', 'detail'],
            align: ['right', 'left', 'right', 'right', 'left', 'left'],
            rows: results.map((r) => [String(r.round), r.side, fmt(r.answerMs), fmt(r.appliedMs), r.ok ? 'yes' : 'NO', r.detail]),
          },
          {
            caption: 'Medians',
            headers: ['', 'synchronous', 'background', 'background / synchronous'],
            rows: [
              ['answer ms', fmt(syncMs), fmt(answerMs), fmtRatio(ratio(answerMs, syncMs))],
              ['applied ms', fmt(syncMs), fmt(appliedMs), fmtRatio(ratio(appliedMs, syncMs))],
            ],
          },
        ],
        goals: [
          { goal: `the ${fmt(count)}-profile batch answers in ≤ ${ANSWER_GOAL_MS / 1000} s (median)`, met: answerMs <= ANSWER_GOAL_MS && allOk, measured: `${fmt(answerMs)} ms` },
          {
            goal: `and is fully applied in ≤ ${APPLY_GOAL_RATIO}× the synchronous time (median)`,
            met: ratio(appliedMs, syncMs) <= APPLY_GOAL_RATIO && allOk,
            measured: `${fmtRatio(ratio(appliedMs, syncMs))} (${fmt(appliedMs)} vs ${fmt(syncMs)} ms)`,
          },
        ],
        notes: [
          `Profiles stored: synchronous ${fmt(stored.synchronous)}, background ${fmt(stored.background)} (expected ${fmt(expected)} each, warm-up included).${allOk ? '' : ' **Something was not stored or not answered as expected: the goals are marked not met.**'}`,
        ],
        raw: { count, rounds, bodyBytes, results, stored, expected },
      };
      return section;
    } finally {
      await sync?.stop().catch(() => undefined);
      await background?.stop().catch(() => undefined);
      await ctx.db.drop(syncDb);
      await ctx.db.drop(asyncDb);
    }
  },
};
