/**
 * Bounded concurrency for attempts: a per-endpoint limit (one slow receiver cannot take every
 * slot) in front of a process-wide limit. A task waits for its endpoint's slot before it
 * takes a global one, so waiting never holds a global slot. Built on `p-limit`.
 */
import pLimit, { type LimitFunction } from 'p-limit';

/** Runs tasks under a global and a per-key concurrency limit. */
export class KeyedLimiter {
  private readonly global: LimitFunction;
  private readonly perKey = new Map<string, LimitFunction>();

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
      return await limit(() => this.global(task));
    } finally {
      if (limit.activeCount === 0 && limit.pendingCount === 0) this.perKey.delete(key);
    }
  }

  /** Tasks waiting for a slot under `key`. */
  waiting(key: string): number {
    return this.perKey.get(key)?.pendingCount ?? 0;
  }
}
