/**
 * A per-key request rate limit (GCRA, the token bucket as a single "theoretical arrival time"):
 * `reserve(key, perSecond)` books the key's next request and says how long to wait for it,
 * allowing a burst of one second's worth. Hand-written because the limiter libraries on hand (p-limit,
 * express-rate-limit) bound concurrency or answer HTTP requests, not pace outgoing ones.
 */

/** Paces requests per key, in this process. */
export class RateLimiter {
  private readonly arrival = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * How long the caller must wait before sending (reserving its slot), in ms.
   * @example
   * const limiter = new RateLimiter();
   * limiter.reserve('acme', 100); // 0 for the first 100 calls in a second, then 10, 20, …
   */
  reserve(key: string, perSecond: number): number {
    const interval = 1000 / perSecond;
    const now = this.now();
    const tat = Math.max(this.arrival.get(key) ?? now, now);
    const wait = Math.max(0, tat - now - (1000 - interval));
    if (this.arrival.size > 10_000 && !this.arrival.has(key)) this.prune(now);
    this.arrival.set(key, tat + interval);
    return wait;
  }

  /** Forgets keys that have no reservation ahead (bounded memory). */
  private prune(now: number): void {
    for (const [key, tat] of this.arrival) if (tat <= now) this.arrival.delete(key);
  }
}
