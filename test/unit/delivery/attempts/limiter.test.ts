import { describe, it, expect } from 'vitest';
import { KeyedLimiter } from '../../../../lib/delivery/attempts/limiter.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('KeyedLimiter', () => {
  it('should run at most the per-key concurrency at once and count the rest as waiting', async () => {
    const limiter = new KeyedLimiter(10, 2);
    const g = gate();
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 5 }, () =>
      limiter.run('a', async () => {
        running++;
        peak = Math.max(peak, running);
        await g.promise;
        running--;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(limiter.waiting('a')).toBe(3);
    expect(limiter.waiting('b')).toBe(0);
    g.open();
    await Promise.all(tasks);
    expect(peak).toBe(2);
    expect(limiter.waiting('a')).toBe(0);
  });

  it('should let a producer through at once while the queue is short', async () => {
    const limiter = new KeyedLimiter(10, 2);
    const started = Date.now();
    await limiter.room('a', 2, 10_000);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('should hold a producer until a waiting task starts, when the queue is full', async () => {
    const limiter = new KeyedLimiter(10, 1);
    const first = gate();
    const tasks = [limiter.run('a', () => first.promise), limiter.run('a', async () => undefined)];
    await new Promise((r) => setImmediate(r));
    expect(limiter.waiting('a')).toBe(1);
    let through = false;
    const producer = limiter.room('a', 1, 10_000).then(() => (through = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(through).toBe(false);
    first.open(); // the first task ends, the waiting one starts: room for one more
    await producer;
    expect(through).toBe(true);
    await Promise.all(tasks);
  });

  it('should give up waiting after the timeout, never rejecting', async () => {
    const limiter = new KeyedLimiter(10, 1);
    const blocked = gate();
    const tasks = [limiter.run('a', () => blocked.promise), limiter.run('a', async () => undefined)];
    await new Promise((r) => setImmediate(r));
    await expect(limiter.room('a', 1, 30)).resolves.toBeUndefined();
    expect(limiter.waiting('a')).toBe(1);
    blocked.open();
    await Promise.all(tasks);
  });
});
