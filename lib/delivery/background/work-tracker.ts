/**
 * Tracks the engine's in-flight work (attempts, jobs, background enqueues) so `close()` can
 * stop taking new work and wait for what is running; failures are logged, never thrown.
 */
import { ChameleonError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/** In-flight work and the accepting flag. */
export class WorkTracker {
  private readonly inFlight = new Set<Promise<unknown>>();
  private open = true;

  constructor(private readonly logger: Logger) {}

  /** Whether new work is taken (false once stopping). */
  get accepting(): boolean {
    return this.open;
  }

  /** Throws `CH_ERR_NOT_READY` once stopping. */
  assertAccepting(): void {
    if (!this.open) throw new ChameleonError('CH_ERR_NOT_READY', 'chameleon-hooks is shutting down');
  }

  /** Stops taking work. */
  close(): void {
    this.open = false;
  }

  /** Tracks `promise` until it settles; a rejection is logged and resolves to `undefined`. */
  track<T>(promise: Promise<T>): Promise<T> {
    const guarded = promise.catch((error: unknown) => {
      this.logger.error({ err: error }, 'chameleon-hooks: delivery work failed');
      return undefined as T;
    });
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
    return guarded;
  }

  /** Resolves once nothing tracked is running (work started meanwhile is waited for too). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
