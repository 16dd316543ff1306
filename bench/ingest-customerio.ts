/**
 * (j) Customer.io reporting webhooks under concurrent load, against a bare Express handler that
 * parses the body and inserts it once under a unique (account, event_id) key. Each server runs in
 * its own server process; rounds alternate bare, package, bare, package…. After each package round
 * the run waits until its background processing (profile events) has caught up, so none of it
 * runs during the next bare round; that catch-up time is reported per round and after the last.
 */
import { MongoClient } from 'mongodb';
import { startServer, type ServerProcess } from './lib/server-process.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { BARE_REPORT_PATH, PACKAGE_REPORT_PATH, reportBody } from './lib/workload.js';
import { fmt, fmtRatio, median, ratio, sleep, sum } from './lib/stats.js';
import type { Benchmark, Section } from './lib/types.js';

type Side = 'bare' | 'package';

interface Round {
  round: number;
  side: Side;
  load: LoadResult;
  /** Package rounds: seconds until every stored report was processed after the load stopped. */
  catchUpS?: number;
}

export const ingestCustomerio: Benchmark = {
  name: 'ingest-customerio',
  title: '(j) Customer.io reporting webhooks under concurrent load vs a bare insert handler',
  async run(ctx) {
    const s = ctx.quick ? { rounds: 2, durationS: 3, warmupS: 2, connections: 32, pool: 5_000 } : { rounds: 4, durationS: 10, warmupS: 5, connections: 32, pool: 5_000 };
    const dbName = ctx.db.freshName('ingest_customerio');
    const servers: ServerProcess[] = [];
    const client = new MongoClient(ctx.db.uri);
    try {
      await client.connect();
      const bare = await startServer({ kind: 'bare', uri: ctx.db.uri, dbName });
      servers.push(bare);
      const pkg = await startServer({ kind: 'package', uri: ctx.db.uri, dbName });
      servers.push(pkg);
      const url: Record<Side, string> = { bare: bare.baseUrl + BARE_REPORT_PATH, package: pkg.baseUrl + PACKAGE_REPORT_PATH };
      const run = (side: Side, tag: string, durationS: number) =>
        runLoad({ url: url[side], connections: s.connections, durationS, body: (n) => reportBody(`${side}${tag}`, n, s.pool) });
      // The package answers once a report is stored; its profile events follow in background batches.
      // Waiting for them after each package load keeps that work out of the bare side's next round.
      const reports = client.db(dbName).collection('chameleon_customerio_reports');
      const catchUp = async (limitMs: number): Promise<{ seconds: number; unprocessed: number }> => {
        const start = performance.now();
        let left = await reports.countDocuments({ processed_at: null });
        while (left > 0 && performance.now() - start < limitMs) {
          await sleep(100);
          left = await reports.countDocuments({ processed_at: null });
        }
        return { seconds: (performance.now() - start) / 1000, unprocessed: left };
      };
      for (const side of ['bare', 'package'] as const) {
        ctx.log(`  warm-up ${side} ${s.warmupS} s`);
        await run(side, 'w', s.warmupS);
      }
      await catchUp(60_000);
      const rounds: Round[] = [];
      for (let round = 1; round <= s.rounds; round++) {
        for (const side of ['bare', 'package'] as const) {
          const load = await run(side, `r${round}`, s.durationS);
          const caught = side === 'package' ? await catchUp(120_000) : undefined;
          ctx.log(
            `  round ${round} ${side.padEnd(7)} ${fmt(load.rps)} req/s  p50 ${load.p50Ms} ms  p99 ${load.p99Ms} ms  non-2xx ${load.non2xx}  errors ${load.errors}` +
              (caught ? `  caught up in ${fmt(caught.seconds, 1)} s` : ''),
          );
          rounds.push({ round, side, load, ...(caught ? { catchUpS: caught.seconds } : {}) });
          await sleep(500);
        }
      }
      // The last round is the package's: its catch-up is the time to process everything after the load.
      const drainS = rounds.at(-1)?.catchUpS ?? 0;
      const unprocessed = await reports.countDocuments({ processed_at: null });
      const stored = await reports.countDocuments({});
      const events = await client.db(dbName).collection('chameleon_events').countDocuments({});
      const by = (side: Side) => rounds.filter((r) => r.side === side).map((r) => r.load);
      const b = { rps: median(by('bare').map((l) => l.rps)), p99: median(by('bare').map((l) => l.p99Ms)), requests: sum(by('bare').map((l) => l.requests)) };
      const p = {
        rps: median(by('package').map((l) => l.rps)),
        p99: median(by('package').map((l) => l.p99Ms)),
        requests: sum(by('package').map((l) => l.requests)),
        non2xx: sum(by('package').map((l) => l.non2xx + l.errors)),
      };
      const rpsRatio = ratio(p.rps, b.rps);
      const section: Section = {
        method: [
          `Each server alone in its own server process; autocannon in the orchestrating process; all on 127.0.0.1. ${s.rounds} rounds × ${s.durationS} s per side with ${s.connections} connections, alternating, after a ${s.warmupS} s warm-up per side. Every request is a distinct reporting webhook (\`email\` metrics for ${fmt(s.pool)} people) like \`${reportBody('x', 1, s.pool).slice(0, 120)}…\`.`,
          '',
          '- **bare**: `express.json()` + `insertOne({key: account|event_id, body, received_at})` under a unique index → `200`.',
          '- **package**: `POST /v3/observe/hooks/<secret>/customerio`: account, JSON body (its text kept), one `insertOne` under the unique `(account, event_id)` key → `200`; the report is then applied in background batches (events through the ordinary ingest rules) in the same process, during its own round. After each package round the run waits until every report is processed (*caught up s*), so that work never runs in a bare round.',
        ].join('\n'),
        tables: [
          {
            caption: 'Per round',
            headers: ['round', 'server', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'caught up s'],
            rows: rounds.map((r) => [
              String(r.round),
              r.side,
              fmt(r.load.requests),
              fmt(r.load.rps),
              fmt(r.load.p50Ms),
              fmt(r.load.p99Ms),
              fmt(r.load.non2xx),
              fmt(r.load.errors),
              r.catchUpS === undefined ? '' : fmt(r.catchUpS, 1),
            ]),
          },
          {
            caption: 'Summary (median over rounds)',
            headers: ['server', 'req/s', 'p99 ms', 'requests'],
            rows: [
              ['bare', fmt(b.rps), fmt(b.p99), fmt(b.requests)],
              ['package', fmt(p.rps), fmt(p.p99), fmt(p.requests)],
              ['**package / bare**', fmtRatio(rpsRatio), fmtRatio(ratio(p.p99, b.p99)), ''],
            ],
          },
        ],
        goals: [
          { goal: 'reporting-webhook endpoint ≥ 0.8× a bare insert handler req/s, zero non-2xx', met: rpsRatio >= 0.8 && p.non2xx === 0, measured: `${fmtRatio(rpsRatio)} (${fmt(p.rps)} vs ${fmt(b.rps)} req/s); ${fmt(p.non2xx)} non-2xx or errors` },
          { goal: 'every stored report processed within 120 s of the last round', met: unprocessed === 0, measured: `${fmt(drainS, 1)} s; ${fmt(unprocessed)} left; ${fmt(stored)} reports stored, ${fmt(events)} events` },
        ],
        notes: ['Warm-up requests are counted in the stored reports and events, not in the rates. *caught up s* counts from the end of the load; the rates count only the load.'],
        raw: { settings: s, rounds, summary: { bare: b, package: p, rpsRatio, drainS, unprocessed, stored, events } },
      };
      return section;
    } finally {
      for (const server of servers) await server.stop().catch(() => undefined);
      await client.close().catch(() => undefined);
      await ctx.db.drop(dbName);
    }
  },
};
