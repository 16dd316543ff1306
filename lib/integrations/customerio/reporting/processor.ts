/**
 * Processes stored Customer.io reporting webhooks after the answer has gone out, in batches: a
 * burst of reports costs a few bulk writes, not a few writes each (./apply-reports.ts), and
 * their outcomes are recorded in one more. Batches run one at a time, in arrival order; a batch
 * starts when `batchSize` reports wait or `lingerMs` after the first of them, so a steady stream
 * of webhooks is applied in a few large batches, not one small batch per request. A report queued
 * by the route keeps its parsed body (it is not parsed again). Reports a stop, a crash or a full
 * queue left unprocessed are picked up by a periodic sweep; applying a report twice changes
 * nothing (the event id is the report's id).
 */
import { isDatabaseUnavailable } from '../../../errors.js';
import type { IngestDeps } from '../../../ingest/deps.js';
import type { Logger } from '../../../logger.js';
import { applyReports, type QueuedReport } from './apply-reports.js';
import type { ReportDoc, ReportsRepo } from './reports-repo.js';

/** How the processor runs. */
export interface ProcessorOptions {
  /** Reports applied per batch. */
  batchSize: number;
  /** Reports held in memory; past it, new ones wait for the sweep. */
  maxQueued: number;
  /** How often unprocessed reports older than `sweepAgeMs` are looked for, in ms. */
  sweepIntervalMs: number;
  /** How old an unprocessed report must be before the sweep takes it (another process may hold it). */
  sweepAgeMs: number;
  /** How long a report waits for others to share its batch (unless `batchSize` are waiting), in ms. */
  lingerMs: number;
}

/**
 * The defaults: batches of 200, 20,000 queued, a sweep every 10 s for reports older than 30 s,
 * 200 ms linger. A batch reads its people with one `$in` query; on the test server
 * (mongo-java-server) its cost per key grows past a few hundred keys, so batches stay at 200.
 */
export const PROCESSOR_DEFAULTS: Readonly<ProcessorOptions> = Object.freeze({
  batchSize: 200,
  maxQueued: 20_000,
  sweepIntervalMs: 10_000,
  sweepAgeMs: 30_000,
  lingerMs: 200,
});

/** Turns stored reports into profile updates and events. */
export class ReportProcessor {
  private readonly queue: QueuedReport[] = [];
  private readonly queued = new Set<string>();
  private running: Promise<void> | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly repo: ReportsRepo,
    private readonly deps: IngestDeps,
    private readonly logger: Logger,
    private readonly options: ProcessorOptions = PROCESSOR_DEFAULTS,
  ) {}

  /** Starts the sweep (once now, then periodically). */
  start(): void {
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
    void this.sweep();
  }

  /**
   * Queues a freshly stored report (with its body as parsed by the route, when there is one);
   * when the queue is full it is left to the sweep.
   */
  enqueue(doc: ReportDoc, parsed?: Record<string, unknown>): void {
    const key = doc._id.toHexString();
    if (this.stopped || this.queue.length >= this.options.maxQueued || this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(parsed === undefined ? { doc } : { doc, parsed });
    if (this.queue.length >= this.options.batchSize) this.kick();
    else if (!this.running) this.lingerTimer ??= setTimeout(() => this.kick(), this.options.lingerMs);
  }

  /** Finds reports left unprocessed (a stop, a crash, a full queue) and queues them. */
  async sweep(): Promise<number> {
    const room = this.options.maxQueued - this.queue.length;
    if (this.stopped || room <= 0) return 0;
    try {
      const docs = await this.repo.unprocessed(new Date(Date.now() - this.options.sweepAgeMs), Math.min(room, 5000));
      for (const doc of docs) this.enqueue(doc);
      return docs.length;
    } catch (error) {
      this.logger.warn({ err: error }, 'chameleon-hooks: the Customer.io report sweep failed');
      return 0;
    }
  }

  /** Resolves once every queued report has been applied (or given up for the sweep). */
  async drain(): Promise<void> {
    while (this.running || this.queue.length > 0) {
      this.kick();
      await this.running;
    }
  }

  /** Stops the sweep, applies what is queued, and takes no more. */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.drain();
    this.stopped = true;
  }

  private kick(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /**
   * Applies the first batch (whatever is queued, up to `batchSize`), then every further full
   * batch; a partial remainder waits for the linger timer, to be joined by later reports.
   */
  private async loop(): Promise<void> {
    let first = true;
    while (this.queue.length >= (first ? 1 : this.options.batchSize)) {
      first = false;
      const batch = this.queue.splice(0, this.options.batchSize);
      try {
        const outcomes = await applyReports(batch, this.deps);
        await this.repo.markProcessed(outcomes, new Date());
      } catch (error) {
        // Left unprocessed: the sweep applies them again later, which changes nothing twice.
        if (!isDatabaseUnavailable(error)) this.logger.warn({ err: error }, 'chameleon-hooks: Customer.io reports could not be applied');
      } finally {
        for (const { doc } of batch) this.queued.delete(doc._id.toHexString());
      }
    }
    if (this.queue.length > 0 && !this.stopped) this.lingerTimer ??= setTimeout(() => this.kick(), this.options.lingerMs);
  }
}
