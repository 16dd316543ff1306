/**
 * Background batches in the benchmarks: the SPEC §3 worst case body (minimal profiles), and
 * waiting on `GET /v3/observe/batches/:id` until a batch is applied.
 */
import { randomUUID } from 'node:crypto';
import { BENCH_ACCOUNT } from './workload.js';
import { sleep } from './stats.js';

/** One body of `count` minimal profiles `{"uid":"<uuid>","plan":"<plan>"}` (265,000 ≈ 15.4 MiB). */
export function minimalBatchBody(count: number, plan = 'gold', uids?: readonly string[]): string {
  const parts = new Array<string>(count);
  for (let i = 0; i < count; i++) parts[i] = `{"uid":"${uids?.[i] ?? randomUUID()}","plan":"${plan}"}`;
  return `{"profiles":[${parts.join(',')}]}`;
}

/** A batch's state as the package reports it. */
export interface BatchState {
  state: 'queued' | 'applying' | 'done' | 'failed';
  items: number;
  applied_items: number;
  errors_count: number;
}

/** Polls the batch every `everyMs` until it is done or failed; rejects after `timeoutMs`. */
export async function waitForBatch(baseUrl: string, id: string, timeoutMs = 600_000, everyMs = 50): Promise<BatchState> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/v3/observe/batches/${id}`, { headers: { 'x-account-secret': BENCH_ACCOUNT.secret } });
    const body = (await response.json()) as { batch?: BatchState };
    if (!response.ok || !body.batch) throw new Error(`GET batch ${id} answered ${response.status}`);
    if (body.batch.state === 'done' || body.batch.state === 'failed') return body.batch;
    if (performance.now() > deadline) throw new Error(`batch ${id} still ${body.batch.state} after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
