/**
 * The in-flight byte budget of batch bodies in one process: a body is admitted only while the
 * bytes of every body being read, parsed and recorded stay within the budget, so memory across
 * concurrent batches is bounded however many arrive at once.
 */

/** A counter of reserved bytes with a fixed capacity. */
export class ByteBudget {
  private used = 0;

  constructor(readonly capacity: number) {}

  /** Bytes reserved right now. */
  get inFlight(): number {
    return this.used;
  }

  /**
   * Reserves `bytes` if they fit, and returns the function that gives them back (idempotent),
   * or `undefined` when they do not fit (nothing is reserved then).
   * @example
   * const release = budget.tryReserve(16 * 1024 * 1024);
   * if (!release) answerBusy(); else try { … } finally { release(); }
   */
  tryReserve(bytes: number): (() => void) | undefined {
    if (this.used + bytes > this.capacity) return undefined;
    this.used += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
    };
  }
}
