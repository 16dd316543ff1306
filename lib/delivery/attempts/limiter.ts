/**
 * Bounded concurrency for attempts: a per-endpoint limit (one slow receiver cannot take every
 * slot) in front of a process-wide limit. A task waits for its endpoint's slot before it
 * takes a global one, so waiting never holds a global slot. Built on `p-limit`; `room()` lets
 * producers wait (a bounded time) while an endpoint's queue is long: backpressure.
 */
import pLimit, { type LimitFunction } from 'p-limit';

/** Runs tasks under a global and a per-key concurrency limit. */
export class KeyedLimiter {
  private readonly global: LimitFunction;
  private readonly perKey = new Map<string, LimitFunction>();
  private readonly roomWaiters = new Map<string, Array<() => void>>();

  constructor(
    globalConcurrency: number,
    private readonly keyConcurrency: number,
  ) {
    this.global = pLimit(globalConcurrency);
  }

  /** Runs `task` once both its key's and a global slot are free. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let limit = this.perKey.get(key);
    if (!limit) {
      limit = pLimit(this.keyConcurrency);
      this.perKey.set(key, limit);
    }
    try {
      return await limit(() => {
        this.wakeOne(key); // one fewer waiting under this key: one producer may add one
        return this.global(task);
      });
    } finally {
      if (limit.activeCount === 0 && limit.pendingCount === 0) this.perKey.delete(key);
    }
  }

  /** Tasks waiting for a slot under `key`. */
  waiting(key: string): number {
    return this.perKey.get(key)?.pendingCount ?? 0;
  }

  /**
   * Resolves once fewer than `maxWaiting` tasks wait under `key`, or after `timeoutMs`,
   * whichever comes first (it never rejects: past the wait, the caller decides).
   *
   * @example
   * await limiter.room('endpoint-id', 16, 250); // at most 250 ms of backpressure
   */
  async room(key: string, maxWaiting: number, timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0 || this.waiting(key) < maxWaiting) return;
    await new Promise<void>((resolve) => {
      const waiters = this.roomWaiters.get(key) ?? [];
      const done = (): void => {
        clearTimeout(timer);
        const list = this.roomWaiters.get(key);
        const at = list?.indexOf(done) ?? -1;
        if (list && at >= 0) list.splice(at, 1);
        if (list?.length === 0) this.roomWaiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.push(done);
      this.roomWaiters.set(key, waiters);
    });
  }

  private wakeOne(key: string): void {
    this.roomWaiters.get(key)?.[0]?.();
  }
}
