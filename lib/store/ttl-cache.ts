/**
 * A small bounded in-process cache with a time to live, for lookups the hot paths repeat
 * (accounts by secret hash or id, an account's endpoints). Bounded by clearing when full:
 * simpler than LRU and enough for keys that are few and hot.
 */

/** Caches values for `ttlMs`, at most `maxEntries` at a time. */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * The cached value, or the loader's (cached when it is not `undefined`).
   *
   * @example
   * const cache = new TtlCache<string, number>(1000);
   * await cache.getOrLoad('a', async () => 1); // loads 1
   * await cache.getOrLoad('a', async () => 2); // 1, from the cache
   */
  async getOrLoad(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return hit.value;
    const value = await load();
    if (value === undefined) return undefined;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
    return value;
  }

  /** Forgets one key. */
  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }
}
