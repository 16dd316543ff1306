/**
 * Applies recorded batches in the background, in every process that runs the package: each
 * process claims batches with a lease (at most `concurrency` at once), applies their chunks in
 * order and records each chunk's progress; a batch whose process crashed is resumed, at its
 * first unrecorded chunk, by whichever process claims it once the lease has run out.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ObjectId } from 'mongodb';
import type { Logger } from '../logger.js';
import type { BatchesRepo } from './batches-repo.js';
import type { BatchChunkDoc, BatchDoc, BatchItemError, BatchKind } from './documents.js';

/** Applies one chunk's items (see `applyBatchChunk`); returns the errors found while writing. */
export type ChunkApplier = (
  kind: BatchKind,
  account: string,
  items: readonly unknown[],
  start: number,
  createMissing: boolean,
  /** When the batch was received: the time its items are applied as of (`"$now"`, `"+30d"`). */
  receivedAt: Date,
) => Promise<BatchItemError[]>;

/** How the worker runs. */
export interface BatchWorkerSettings {
  concurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
  logger: Logger;
  now?: () => Date;
}

/** The items of a chunk as stored, or `undefined` when they cannot be read back. */
function parseItems(json: string, count: number): unknown[] | undefined {
  try {
    const items: unknown = JSON.parse(json);
    return Array.isArray(items) && items.length === count ? items : undefined;
  } catch {
    return undefined;
  }
}

/** The background applier of one process. */
export class BatchWorker {
  /** This process's name in leases. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private filling: Promise<void> = Promise.resolve();
  private readonly now: () => Date;

  constructor(
    private readonly repo: BatchesRepo,
    private readonly apply: ChunkApplier,
    private readonly settings: BatchWorkerSettings,
  ) {
    this.now = settings.now ?? (() => new Date());
  }

  /** Starts looking for batches to apply or resume, now and every `pollIntervalMs`. */
  start(): void {
    this.timer = setInterval(() => this.kick(), this.settings.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for work now; with `preferred`, that batch first (one just recorded by this process). */
  kick(preferred?: ObjectId): void {
    if (this.stopping) return;
    // One search at a time: each waits for the previous, and returns at once when every slot is busy.
    this.filling = this.filling.then(() => this.fill(preferred)).catch((error: unknown) => {
      this.settings.logger.warn({ err: error }, 'chameleon-hooks: could not claim a batch; trying again later');
    });
  }

  /** Stops claiming, lets each batch in hand finish its current chunk, and gives them back. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.filling;
    await Promise.all(this.running.values());
  }

  private async fill(preferred?: ObjectId): Promise<void> {
    let first = preferred;
    while (!this.stopping && this.running.size < this.settings.concurrency) {
      const batch = await this.repo.claim(this.owner, this.settings.leaseMs, this.now(), first);
      if (!batch) {
        if (first === undefined) return;
        first = undefined; // taken already (or done): look at the queue instead
        continue;
      }
      first = undefined;
      const key = batch._id.toHexString();
      const run = this.run(batch)
        .catch((error: unknown) => {
          // A database outage or a bug: the lease runs out and any process takes the batch up again.
          this.settings.logger.warn({ err: error, batch: key }, 'chameleon-hooks: applying a batch failed; it will be resumed');
        })
        .finally(() => {
          this.running.delete(key);
          this.kick();
        });
      this.running.set(key, run);
    }
  }

  /**
   * Applies a claimed batch from its first unapplied chunk. Pipelined: the next chunk is read
   * while one is applied, and a chunk's progress is recorded while the next one is applied
   * (a crash between the two re-applies both, in order, which gives the same records).
   */
  private async run(batch: BatchDoc): Promise<void> {
    const createMissing = batch.on_model_missing !== 'ignore';
    let next = batch.applied_chunks < batch.chunks ? this.repo.chunk(batch._id, batch.applied_chunks) : undefined;
    let recording: Promise<boolean> = Promise.resolve(true);
    for (let n = batch.applied_chunks; n < batch.chunks; n++) {
      const chunk = await next!;
      next = n + 1 < batch.chunks ? this.repo.chunk(batch._id, n + 1) : undefined;
      next?.catch(() => undefined); // awaited next turn; an error then ends this run
      const items = chunk ? parseItems(chunk.items, chunk.count) : undefined;
      const [kept, outcome] = await Promise.all([recording, this.applyChunk(batch, n, chunk, items, createMissing)]);
      if (!kept) return; // another process took the batch over
      const leaseUntil = new Date(this.now().getTime() + this.settings.leaseMs);
      recording = this.repo.recordProgress(batch._id, this.owner, n, outcome.applied, outcome.errors, leaseUntil);
      recording.catch(() => undefined); // awaited next turn; a failure then ends this run (never an unhandled rejection)
      if (this.stopping) {
        if (await recording) await this.repo.release(batch._id, this.owner);
        return;
      }
    }
    if (!(await recording)) return;
    await this.repo.finish(batch._id, this.owner, batch.chunks, 'done', this.now());
  }

  private async applyChunk(batch: BatchDoc, n: number, chunk: BatchChunkDoc | null, items: unknown[] | undefined, createMissing: boolean): Promise<{ applied: number; errors: BatchItemError[] }> {
    if (!chunk || !items) return { applied: 0, errors: unreadableChunkErrors(batch, n, chunk?.start, chunk?.count) };
    const errors = await this.apply(batch.kind, batch.account, items, chunk.start, createMissing, batch.created_at);
    const applied = items.reduce<number>((sum, item) => (item === null ? sum : sum + 1), 0) - errors.length;
    return { applied, errors };
  }
}

/**
 * The errors of a chunk that cannot be read back (removed, or altered in the database): one
 * for the chunk when its items are unknown, else one per item.
 */
function unreadableChunkErrors(batch: BatchDoc, n: number, start: number | undefined, count: number | undefined): BatchItemError[] {
  const message = `Chunk ${n + 1} of ${batch.chunks} of this batch could not be read back from the database; its items were not applied: send them again`;
  if (start === undefined || count === undefined || !Number.isInteger(start) || !Number.isInteger(count) || count < 0 || count > 100_000) {
    return [{ code: 500, index: -1, message }];
  }
  return Array.from({ length: count }, (_, i) => ({ code: 500, index: start + i, message }));
}
