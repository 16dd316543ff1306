/**
 * A destination's health from its recent attempts (pings and deliveries): success rate and
 * latency. Pure: the attempts are read by `DeliveriesRepo.recentAttempts`.
 */
import type { AttemptLog } from './documents.js';

/** The window health is computed over. */
export const HEALTH_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Deliveries whose attempts are read for it (the most recently updated). */
export const HEALTH_MAX_DELIVERIES = 200;

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

/**
 * Health from attempts (any order) made within the window before `now`.
 *
 * @example
 * healthOf([], new Date()).status // 'unknown'
 */
export function healthOf(logs: readonly AttemptLog[], now: Date): DestinationHealth {
  const since = new Date(now.getTime() - HEALTH_WINDOW_MS);
  const attempts = logs.filter((a) => a.at >= since).sort((a, b) => a.at.getTime() - b.at.getTime());
  const ok = attempts.filter((a) => a.status !== null && a.status >= 200 && a.status < 300 && a.error === null);
  const failed = attempts.filter((a) => !ok.includes(a));
  const latencies = ok.map((a) => a.duration_ms).sort((a, b) => a - b);
  const last = attempts[attempts.length - 1];
  const lastFailure = failed[failed.length - 1];
  return {
    status: !last ? 'unknown' : last.error === null ? 'active' : 'inactive',
    attempts: attempts.length,
    success_rate: attempts.length === 0 ? null : Math.round((ok.length / attempts.length) * 1000) / 1000,
    latency_ms: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      avg: latencies.length === 0 ? null : Math.round(latencies.reduce((s, v) => s + v, 0) / latencies.length),
    },
    failures: { count: failed.length, last_at: lastFailure ? lastFailure.at.toISOString() : null, last_error: lastFailure?.error ?? null },
    window: '24h',
  };
}
