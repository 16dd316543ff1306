// Unit tests of the pure retry policy: the default schedule, jitter bounds, Retry-After capping and exhaustion.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptDelay, retryDelay } from '../../../../lib/delivery/attempts/retry-schedule.js';

const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const fixed = (value: number) => () => value;

describe('DEFAULT_RETRY_SCHEDULE', () => {
  it('should have 9 delays (10 attempts in all)', () => {
    expect(DEFAULT_RETRY_SCHEDULE).toHaveLength(9);
  });

  it('should sum to 43 h ± 1 h', () => {
    const total = DEFAULT_RETRY_SCHEDULE.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThanOrEqual(42 * HOUR);
    expect(total).toBeLessThanOrEqual(44 * HOUR);
  });

  it('should grow exponentially from 5 minutes', () => {
    expect(DEFAULT_RETRY_SCHEDULE[0]).toBe(5 * MINUTE);
    for (let i = 1; i < DEFAULT_RETRY_SCHEDULE.length; i++) {
      expect(DEFAULT_RETRY_SCHEDULE[i]).toBe((DEFAULT_RETRY_SCHEDULE[i - 1] ?? 0) * 2);
    }
  });

  it('should be frozen', () => {
    expect(Object.isFrozen(DEFAULT_RETRY_SCHEDULE)).toBe(true);
  });
});

describe('retryDelay', () => {
  it('should return the schedule step without jitter', () => {
    DEFAULT_RETRY_SCHEDULE.forEach((delay, i) => {
      expect(retryDelay(DEFAULT_RETRY_SCHEDULE, i + 1, 0, Math.random)).toBe(delay);
    });
  });

  it.each([0, 0.25, 0.5, 0.75, 0.999999])('should stay within ±jitter of the step (random = %s)', (r) => {
    DEFAULT_RETRY_SCHEDULE.forEach((delay, i) => {
      const jittered = retryDelay(DEFAULT_RETRY_SCHEDULE, i + 1, 0.1, fixed(r)) ?? NaN;
      expect(jittered).toBeGreaterThanOrEqual(Math.floor(delay * 0.9));
      expect(jittered).toBeLessThanOrEqual(Math.ceil(delay * 1.1));
    });
  });

  it('should reach the bounds at the extremes of random', () => {
    expect(retryDelay([1000], 1, 0.1, fixed(0))).toBe(900);
    expect(retryDelay([1000], 1, 0.1, fixed(1))).toBe(1100);
    expect(retryDelay([1000], 1, 0.1, fixed(0.5))).toBe(1000);
  });

  it('should stay increasing whatever the jitter draws', () => {
    const low = DEFAULT_RETRY_SCHEDULE.map((_, i) => retryDelay(DEFAULT_RETRY_SCHEDULE, i + 1, 0.1, fixed(0)) ?? NaN);
    const high = DEFAULT_RETRY_SCHEDULE.map((_, i) => retryDelay(DEFAULT_RETRY_SCHEDULE, i + 1, 0.1, fixed(1)) ?? NaN);
    for (let i = 1; i < low.length; i++) expect(low[i]).toBeGreaterThan(high[i - 1] ?? Infinity);
  });

  it('should never be negative', () => {
    expect(retryDelay([0, 10], 1, 0.5, fixed(0))).toBe(0);
    expect(retryDelay([10], 1, 0.5, fixed(0))).toBeGreaterThanOrEqual(0);
  });

  it('should return undefined once the schedule is exhausted', () => {
    expect(retryDelay(DEFAULT_RETRY_SCHEDULE, 10, 0.1)).toBeUndefined();
    expect(retryDelay(DEFAULT_RETRY_SCHEDULE, 0, 0.1)).toBeUndefined();
    expect(retryDelay([], 1, 0)).toBeUndefined();
  });
});

describe('nextAttemptDelay', () => {
  const schedule = [1000, 60_000, 120_000];

  it('should use the schedule when there is no Retry-After', () => {
    expect(nextAttemptDelay(schedule, 1, 0)).toBe(1000);
  });

  it('should never move an attempt earlier than the schedule', () => {
    expect(nextAttemptDelay(schedule, 2, 0, 5000)).toBe(60_000);
  });

  it('should honour a Retry-After within the next step', () => {
    expect(nextAttemptDelay(schedule, 1, 0, 5000)).toBe(5000);
    expect(nextAttemptDelay(schedule, 1, 0, 60_000)).toBe(60_000);
  });

  it('should cap a Retry-After at the following step', () => {
    expect(nextAttemptDelay(schedule, 1, 0, 3_600_000)).toBe(60_000);
    expect(nextAttemptDelay(schedule, 2, 0, 24 * HOUR)).toBe(120_000);
  });

  it('should not extend the last step', () => {
    expect(nextAttemptDelay(schedule, 3, 0, 24 * HOUR)).toBe(120_000);
  });

  it('should cap within the default schedule too', () => {
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE, 1, 0, 24 * HOUR, fixed(0.5))).toBe(10 * MINUTE);
  });

  it('should apply jitter before comparing', () => {
    expect(nextAttemptDelay([1000, 2000], 1, 0.1, undefined, fixed(1))).toBe(1100);
    expect(nextAttemptDelay([1000, 2000], 1, 0.1, 1050, fixed(1))).toBe(1100);
  });

  it('should return undefined once the schedule is exhausted', () => {
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE, 10, 0.1, 5000)).toBeUndefined();
    expect(nextAttemptDelay(schedule, 4, 0)).toBeUndefined();
  });
});
