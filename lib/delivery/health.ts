/**
 * Endpoint health from its recent attempts (pings and deliveries): success rate and latency.
 */
import type { Collection, ObjectId } from 'mongodb';
import type { DeliveryDoc, EndpointHealth } from './documents.js';

/** The window health is computed over. */
export const HEALTH_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_DELIVERIES = 200;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Computes the health of one endpoint from its last deliveries' attempt logs. */
export async function endpointHealth(deliveries: Collection<DeliveryDoc>, endpointId: ObjectId, now = new Date()): Promise<EndpointHealth> {
  const since = new Date(now.getTime() - HEALTH_WINDOW_MS);
  const docs = await deliveries
    .find({ endpoint_id: endpointId, updated_at: { $gte: since } }, { projection: { attempt_log: 1 } })
    .sort({ updated_at: -1 })
    .limit(MAX_DELIVERIES)
    .toArray();
  const attempts = docs.flatMap((d) => d.attempt_log ?? []).filter((a) => a.at >= since);
  attempts.sort((a, b) => a.at.getTime() - b.at.getTime());
  const ok = attempts.filter((a) => a.status !== null && a.status >= 200 && a.status < 300 && a.error === null);
  const latencies = attempts.map((a) => a.duration_ms).sort((a, b) => a - b);
  const last = attempts[attempts.length - 1];
  return {
    status: !last ? 'unknown' : last.error === null ? 'active' : 'inactive',
    attempts: attempts.length,
    success_rate: attempts.length === 0 ? null : Math.round((ok.length / attempts.length) * 1000) / 1000,
    latency_ms: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      avg: latencies.length === 0 ? null : Math.round(latencies.reduce((s, v) => s + v, 0) / latencies.length),
    },
    window: '24h',
  };
}
