// Tests of lib/delivery/background/drain-width.ts: the due drain's width narrows while the event loop waits, widens again while idle and used.
import { describe, expect, it } from 'vitest';
import { ADJUST_EVERY_MS, DrainWidth, nextWidth, TARGET_LAG_MS } from '../../../../lib/delivery/background/drain-width.js';

const bounds = { min: 4, max: 32 };

describe('nextWidth', () => {
  it('should narrow by 30% while the delay is over the target, never under the least', () => {
    expect(nextWidth(32, TARGET_LAG_MS + 1, true, bounds)).toBe(22);
    expect(nextWidth(22, 500, false, bounds)).toBe(15);
    expect(nextWidth(5, 500, true, bounds)).toBe(4);
    expect(nextWidth(4, 500, true, bounds)).toBe(4);
  });

  it('should widen by a sixteenth of the most while the delay is well under the target and the width was used, never over the most', () => {
    expect(nextWidth(4, 0, true, bounds)).toBe(6);
    expect(nextWidth(31, TARGET_LAG_MS / 2 - 1, true, bounds)).toBe(32);
    expect(nextWidth(32, 0, true, bounds)).toBe(32);
    expect(nextWidth(1, 0, true, { min: 1, max: 2 })).toBe(2);
  });

  it('should hold the width while it was not used, or while the delay is near the target', () => {
    expect(nextWidth(10, 0, false, bounds)).toBe(10);
    expect(nextWidth(10, TARGET_LAG_MS, true, bounds)).toBe(10);
    expect(nextWidth(10, TARGET_LAG_MS / 2, true, bounds)).toBe(10);
  });
});

describe('DrainWidth', () => {
  it('should start at the most and narrow while the event loop is blocked', async () => {
    const width = new DrainWidth(bounds);
    expect(width.current).toBe(32);
    width.start();
    try {
      // Block the loop for 300 ms at a time with short breaks: the adjustments that see it narrow.
      const deadline = Date.now() + 20_000;
      while (width.current === 32 && Date.now() < deadline) {
        const until = Date.now() + 300;
        while (Date.now() < until) {
          /* busy */
        }
        await new Promise((resolve) => setTimeout(resolve, ADJUST_EVERY_MS / 5));
      }
      expect(width.current).toBeLessThan(32);
      expect(width.current).toBeGreaterThanOrEqual(bounds.min);
    } finally {
      width.stop();
    }
  });

  it('should not adjust when the least and the most are the same', async () => {
    const width = new DrainWidth({ min: 3, max: 3 });
    width.start();
    const until = Date.now() + 100;
    while (Date.now() < until) {
      /* busy */
    }
    await new Promise((resolve) => setTimeout(resolve, ADJUST_EVERY_MS * 2));
    expect(width.current).toBe(3);
    width.stop();
  });
});
