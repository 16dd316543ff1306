/**
 * The delivery engine's observer that feeds the metrics: attempt outcomes by destination kind, topic
 * and outcome, attempt latency by destination kind and status class, and sweep recoveries.
 */
import type { DeliveryObserver } from '../delivery/observer.js';
import { statusClass, type Metrics } from './metrics.js';

/** `pending` after an attempt means a retry was scheduled. */
const OUTCOME: Record<string, string> = { pending: 'retry' };

/** An observer that counts into `metrics`. */
export function deliveryObserver(metrics: Metrics): DeliveryObserver {
  return {
    attempt({ destination, topic, state, status, durationMs }) {
      metrics.deliveries.inc({ destination, topic, outcome: OUTCOME[state] ?? state });
      metrics.attemptDuration.observe({ destination, status_class: statusClass(status) }, durationMs / 1000);
    },
    recovered(count) {
      metrics.sweepRecoveries.inc(count);
    },
  };
}
