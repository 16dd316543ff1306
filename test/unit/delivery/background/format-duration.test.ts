// Tests of lib/delivery/background/format-duration.ts: durations as people read them in reasons and logs.
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../../lib/delivery/background/format-duration.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [500, '500 ms'],
    [999, '999 ms'],
    [1000, '1 s'],
    [1500, '1.5 s'],
    [90_000, '1.5 min'],
    [60 * 60 * 1000, '1 h'],
    [36 * 60 * 60 * 1000, '1.5 days'],
    [24 * 60 * 60 * 1000, '1 day'],
    [5 * 24 * 60 * 60 * 1000, '5 days'],
  ])('should show %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
