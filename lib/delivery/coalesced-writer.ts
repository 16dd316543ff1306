/**
 * The one coalescing machinery of the delivery engine's bookkeeping: what attempts note is kept
 * in memory and written once per `flushIntervalMs` (so an attempt costs no extra round trip),
 * on `flush()` (readers that want what this process has seen) and on `stop()`. Writes run one
 * at a time, in order; a failed write is logged and never thrown (bookkeeping is not delivery).
 */
import type { Logger } from '../logger.js';

/** How often to write, and where to say that a write failed. */
export interface CoalescingOptions {
  flushIntervalMs: number;
  logger: Logger;
}

/** A buffer of bookkeeping written periodically: subclasses keep the buffer and write it in `write()`. */
export abstract class CoalescedWriter {
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  /** @param what names the bookkeeping in the warning a failed write logs. */
  protected constructor(
    protected readonly options: CoalescingOptions,
    private readonly what: string,
  ) {}

  /** Starts the periodic flush (the timer does not keep the process alive). */
  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Writes everything noted so far (after any write already running). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      try {
        await this.write();
      } catch (error) {
        this.options.logger.warn({ err: error }, `chameleon-hooks: ${this.what} flush failed`);
      }
    });
    return this.flushing;
  }

  /** Takes the buffer and writes it (one bulk write where possible). */
  protected abstract write(): Promise<void>;
}
