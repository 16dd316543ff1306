/**
 * A small bounded in-process cache with a time to live, for lookups the hot paths repeat
 * (accounts by secret hash or id, an account's endpoints). Bounded by clearing when full:
 * simpler than LRU and enough for keys that are few and hot.
 */

/**
 * Caches values for `ttlMs`, at most `maxEntries` at a time. Concurrent misses of one key share
 * one load: when an entry expires under load, the many requests in flight cost one query, not one each.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  private readonly loading = new Map<K, Promise<V | undefined>>();

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
  getOrLoad(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return Promise.resolve(hit.value);
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    let started: Promise<V | undefined>;
    try {
      started = load();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const loaded: Promise<V | undefined> = started.then(
      (value) => {
        // Stored only if nothing forgot the key meanwhile (a `delete` during the load means the value may be stale).
        if (this.loading.get(key) !== loaded) return value;
        this.loading.delete(key);
        if (value === undefined) return undefined;
        if (this.entries.size >= this.maxEntries) this.entries.clear();
        this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  /** Forgets one key (and lets a load of it in flight finish without caching its result). */
  delete(key: K): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  /**
   * The fresh cached value of `key` without loading it, or `undefined` (not cached, or expired):
   * lets a hot path answer synchronously when the value is known.
   */
  peek(key: K): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expires > Date.now() ? hit.value : undefined;
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }
}
