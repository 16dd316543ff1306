import { describe, it, expect, vi, afterEach } from 'vitest';
import { TtlCache } from '../../../lib/store/ttl-cache.js';

describe('TtlCache', () => {
  afterEach(() => vi.useRealTimers());

  it('should load once and serve the cached value within the time to live', async () => {
    const cache = new TtlCache<string, number>(1000);
    const load = vi.fn(async () => 1);
    expect(await cache.getOrLoad('a', load)).toBe(1);
    expect(await cache.getOrLoad('a', load)).toBe(1);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('should load again once the time to live has passed', async () => {
    vi.useFakeTimers();
    const cache = new TtlCache<string, number>(1000);
    let n = 0;
    const load = async () => ++n;
    expect(await cache.getOrLoad('a', load)).toBe(1);
    vi.advanceTimersByTime(1001);
    expect(await cache.getOrLoad('a', load)).toBe(2);
  });

  it('should not cache a missing value', async () => {
    const cache = new TtlCache<string, number>(1000);
    const load = vi.fn(async () => undefined);
    await cache.getOrLoad('a', load);
    await cache.getOrLoad('a', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('should stay within its size bound and forget on delete and clear', async () => {
    const cache = new TtlCache<number, number>(60_000, 3);
    for (let i = 0; i < 4; i++) await cache.getOrLoad(i, async () => i);
    const load = vi.fn(async () => 99);
    expect(await cache.getOrLoad(3, load)).toBe(3); // kept: the cache was cleared before it was added
    expect(await cache.getOrLoad(0, load)).toBe(99); // dropped when the bound was reached
    cache.delete(3);
    expect(await cache.getOrLoad(3, load)).toBe(99);
    cache.clear();
    expect(await cache.getOrLoad(0, async () => 7)).toBe(7);
  });

  it('should share one load among concurrent misses of a key (one query when an entry expires under load)', async () => {
    const cache = new TtlCache<string, number>(1000);
    let release!: (value: number) => void;
    const load = vi.fn(() => new Promise<number>((resolve) => (release = resolve)));
    const waiting = Array.from({ length: 20 }, () => cache.getOrLoad('a', load));
    expect(load).toHaveBeenCalledTimes(1);
    release(5);
    expect(await Promise.all(waiting)).toEqual(Array.from({ length: 20 }, () => 5));
    expect(await cache.getOrLoad('a', load)).toBe(5);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('should share a failed load with its waiters, then load again', async () => {
    const cache = new TtlCache<string, number>(1000);
    const failing = vi.fn(async () => {
      throw new Error('database down');
    });
    const [a, b] = [cache.getOrLoad('a', failing), cache.getOrLoad('a', failing)];
    await expect(a).rejects.toThrow('database down');
    await expect(b).rejects.toThrow('database down');
    expect(failing).toHaveBeenCalledTimes(1);
    expect(await cache.getOrLoad('a', async () => 2)).toBe(2);
    // A loader that throws before returning a promise rejects the same way.
    await expect(cache.getOrLoad('b', () => { throw new Error('sync'); })).rejects.toThrow('sync');
  });

  it('should not cache what a load in flight returns after the key was deleted (invalidated by a write)', async () => {
    const cache = new TtlCache<string, string>(60_000);
    let release!: (value: string) => void;
    const stale = cache.getOrLoad('a', () => new Promise<string>((resolve) => (release = resolve)));
    cache.delete('a'); // e.g. the integration was changed while it was being read
    const fresh = vi.fn(async () => 'new');
    expect(await cache.getOrLoad('a', fresh)).toBe('new');
    release('old');
    expect(await stale).toBe('old');
    expect(await cache.getOrLoad('a', async () => 'other')).toBe('new');
    expect(fresh).toHaveBeenCalledTimes(1);
  });
});
