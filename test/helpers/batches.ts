/**
 * Batches answer once recorded and are applied in the background: helpers that post a batch and
 * wait until `GET /v3/observe/batches/:id` reports it applied (or failed).
 */
import request from 'supertest';
import type { Express } from 'express';
import { ACCOUNT } from './app.js';

/** A batch as `GET /v3/observe/batches/:id` reports it. */
export interface BatchReport {
  id: string;
  kind: 'profile' | 'company';
  state: 'queued' | 'applying' | 'done' | 'failed';
  items: number;
  applied_items: number;
  chunks: number;
  applied_chunks: number;
  errors_count: number;
  errors: Array<{ code: number; index: number; message: string }>;
  on_model_missing: 'create' | 'ignore';
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

type Target = Express | string;

/** Polls the batch until it is `done` or `failed` (generous timeout: the machine may be busy). */
export async function waitForBatch(target: Target, id: string, secret = ACCOUNT.secret, timeoutMs = 120_000): Promise<BatchReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(target).get(`/v3/observe/batches/${id}`).set('X-Account-Secret', secret);
    if (res.status !== 200) throw new Error(`GET batch ${id} answered ${res.status}: ${JSON.stringify(res.body)}`);
    const batch = res.body.batch as BatchReport;
    if (batch.state === 'done' || batch.state === 'failed') return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.state} after ${timeoutMs} ms: ${JSON.stringify(batch)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Posts a batch, expects `202`, waits until it is applied; `res` is the answer, `batch` the final report. */
export async function postBatch(target: Target, path: string, body: object, secret = ACCOUNT.secret): Promise<{ res: request.Response; batch: BatchReport }> {
  const res = await request(target).post(path).send(body);
  if (res.status !== 202) throw new Error(`batch answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  return { res, batch: await waitForBatch(target, res.body.batch.id as string, secret) };
}
