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
});
