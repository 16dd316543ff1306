/**
 * A destination's health over its recent attempts (pings and deliveries): success rate, latency
 * of the successes and the failures apart. Pure: computed from the hourly documents that
 * `DeliveryStats` keeps (and reads, for many destinations in one query).
 */
import type { ObjectId } from 'mongodb';

/** The window health is computed over (to the hour: the current hour and the 24 before it). */
export const HEALTH_WINDOW_MS = 24 * 60 * 60 * 1000;

/** One destination's attempts in one hour, as stored (`chameleon_destination_stats`). */
export interface DestinationHourDoc {
  /** `destination hex id|hour start in ms`: unique. */
  key: string;
  destination: ObjectId;
  hour: Date;
  attempts: number;
  failed: number;
  /** Sum of the successful attempts' durations (ms). */
  ok_ms_sum: number;
  /** The latest successful attempts' durations (ms), at most `LATENCY_SAMPLES`. */
  ok_ms: number[];
  /** The hour's latest attempt. */
  last: { at: Date; failed: boolean };
  /** The hour's latest failed attempt, if any. */
  last_failure?: { at: Date; error: string | null };
}

/** A destination's recent performance. */
export interface DestinationHealth {
  /** `active` when the latest attempt succeeded, `inactive` when it failed, `unknown` before any. */
  status: 'active' | 'inactive' | 'unknown';
  attempts: number;
  success_rate: number | null;
  /** Latency of the successful attempts only (a timeout or a refused connection is no latency). */
  latency_ms: { p50: number | null; p95: number | null; avg: number | null };
  /** The failed attempts, apart: how many, and the latest one. */
  failures: { count: number; last_at: string | null; last_error: string | null };
  window: string;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function latest<T extends { at: Date }>(items: Array<T | undefined>): T | undefined {
  let best: T | undefined;
  for (const item of items) if (item && (!best || item.at > best.at)) best = item;
  return best;
}

/**
 * Health from one destination's hourly documents (any order). Percentiles are over the latest
 * successful latencies of each hour; the average is over every success.
 *
 * @example
 * healthFromHours([]).status // 'unknown'
 */
export function healthFromHours(hours: readonly DestinationHourDoc[]): DestinationHealth {
  let attempts = 0;
  let failed = 0;
  let okSum = 0;
  const latencies: number[] = [];
  for (const h of hours) {
    attempts += h.attempts ?? 0;
    failed += h.failed ?? 0;
    okSum += h.ok_ms_sum ?? 0;
    latencies.push(...(h.ok_ms ?? []));
  }
  latencies.sort((a, b) => a - b);
  const ok = attempts - failed;
  const last = latest(hours.map((h) => h.last));
  const lastFailure = latest(hours.map((h) => h.last_failure));
  return {
    status: !last ? 'unknown' : last.failed ? 'inactive' : 'active',
    attempts,
    success_rate: attempts === 0 ? null : Math.round((ok / attempts) * 1000) / 1000,
    latency_ms: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      avg: ok === 0 ? null : Math.round(okSum / ok),
    },
    failures: { count: failed, last_at: lastFailure ? lastFailure.at.toISOString() : null, last_error: lastFailure?.error ?? null },
    window: '24h',
  };
}
