/**
 * The retry policy, as pure functions: the default schedule and the delay before a given retry.
 */

const MINUTE = 60_000;

/**
 * The default delays before each of the 9 retries, in ms: exponential (×2) from 5 minutes,
 * 10 attempts in all, the last retry about 42 h 35 min after the first attempt (43 h ± 1 h).
 *
 * @example
 * DEFAULT_RETRY_SCHEDULE.map((ms) => ms / 60_000) // [5, 10, 20, 40, 80, 160, 320, 640, 1280]
 */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze(
  Array.from({ length: 9 }, (_, i) => 5 * MINUTE * 2 ** i),
);

/**
 * The delay before retry number `retry` (1-based), with symmetric jitter, or `undefined`
 * once the schedule is exhausted.
 *
 * @param random - a source of uniform numbers in [0, 1); injectable for tests.
 * @example
 * retryDelay([1000, 2000], 1, 0)   // 1000
 * retryDelay([1000, 2000], 3, 0)   // undefined: no third retry
 * retryDelay([1000], 1, 0.1, () => 1) // ≈ 1100: at most +10 %
 */
export function retryDelay(
  schedule: readonly number[],
  retry: number,
  jitter: number,
  random: () => number = Math.random,
): number | undefined {
  const base = schedule[retry - 1];
  if (base === undefined) return undefined;
  const spread = base * jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}

/**
 * The time of the next attempt: the schedule's delay, pushed later (never earlier) by a
 * receiver's `Retry-After`, but never past the schedule's following step, so a hostile
 * `Retry-After` cannot park a delivery forever.
 *
 * @example
 * nextAttemptDelay([1000, 60_000], 1, 0, 5000) // 5000: honours Retry-After within the schedule
 * nextAttemptDelay([1000, 60_000], 1, 0, 3_600_000) // 60000: capped at the next step
 */
export function nextAttemptDelay(
  schedule: readonly number[],
  retry: number,
  jitter: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  const delay = retryDelay(schedule, retry, jitter, random);
  if (delay === undefined) return undefined;
  if (retryAfterMs === undefined || retryAfterMs <= delay) return delay;
  const cap = schedule[retry] ?? schedule[retry - 1] ?? delay;
  return Math.min(retryAfterMs, Math.max(cap, delay));
}
