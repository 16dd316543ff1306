/**
 * (k) The cost of an item's keys: one profile of 1,000 keys against one of 100, sent one at a
 * time (alternating, so a busy machine slows both alike) to the package in its own server
 * process. Linear cost makes the ratio about 10; the quadratic update it replaced grew far faster
 * (20,000 keys took minutes).
 */
import { startServer } from './lib/server-process.js';
import { BENCH_ACCOUNT } from './lib/workload.js';
import { fmt, fmtRatio, median } from './lib/stats.js';
import type { Benchmark, Section } from './lib/types.js';

function wideBody(uid: string, keys: number, round: number): string {
  const item: Record<string, unknown> = { uid };
  for (let i = 0; i < keys - 1; i++) item[`propertyName${i}`] = `value ${i} ${round}`;
  return JSON.stringify(item);
}

export const propertyGrowth: Benchmark = {
  name: 'property-growth',
  title: '(k) Per-item cost: a 1,000-key profile against a 100-key one',
  async run(ctx) {
    const rounds = ctx.quick ? 5 : 25;
    const sizes = [100, 1000] as const;
    const dbName = ctx.db.freshName('property_growth');
    const server = await startServer({ kind: 'package', uri: ctx.db.uri, dbName });
    try {
      const url = `${server.baseUrl}/v3/observe/hooks/${BENCH_ACCOUNT.secret}/profiles`;
      const send = async (keys: number, round: number): Promise<number> => {
        const body = wideBody(`growth-${keys}`, keys, round);
        const started = performance.now();
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${keys} keys: status ${res.status}`);
        return performance.now() - started;
      };
      for (const keys of sizes) await send(keys, -1); // creates both profiles
      const times = new Map<number, number[]>(sizes.map((k) => [k, []]));
      for (let round = 0; round < rounds; round++) for (const keys of sizes) times.get(keys)!.push(await send(keys, round));
      const m = (keys: number) => median(times.get(keys)!);
      const growth = m(1000) / m(100);
      const section: Section = {
        method: `One package server process; ${rounds} rounds, each sending an update of a 100-key profile then of a 1,000-key profile (values change every round, so every key is written), one request at a time; medians of the request times.`,
        tables: [{ headers: ['keys per item', 'median ms', 'per key µs'], rows: sizes.map((k) => [fmt(k), fmt(m(k), 1), fmt((m(k) * 1000) / k, 1)]) }],
        goals: [{ goal: '1,000 keys cost ≤ 15× 100 keys (linear is about 10×)', met: growth <= 15, measured: fmtRatio(growth) }],
        notes: ['The default `limits.propertiesPerItem` is 1,000 keys, so larger items are refused (422) before any work.'],
        raw: { rounds, times: Object.fromEntries(times), growth },
      };
      return section;
    } finally {
      await server.stop().catch(() => undefined);
      await ctx.db.drop(dbName);
    }
  },
};
