/**
 * The package's Prometheus metrics (prom-client), registered in the host's registry or in a private
 * one, never in prom-client's global registry unless the host passes it. Names are prefixed
 * `chameleon_hooks_`; labels are low-cardinality (route, method, status class, kind of record or
 * destination, topic, outcome), never an account, endpoint or profile id.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.js';

/** What the backlog gauges show, read from MongoDB when the metrics are scraped. */
export interface BacklogSnapshot {
  /** Deliveries in state `pending`. */
  pending: number;
  /** Age in seconds of the oldest pending delivery (0 when none). */
  oldestPendingAgeSeconds: number;
  /** Pending deliveries whose next attempt is due now or overdue. */
  due: number;
  /** Agenda attempt jobs currently locked by some process. */
  jobsLocked: number;
}

/** Reads the backlog; set once the package is ready. */
export type BacklogReader = () => Promise<BacklogSnapshot>;

/** Latency buckets in seconds, from 5 ms to the default 7 s timeout and beyond. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10, 30];

/** The metric handles the package updates. */
export class Metrics {
  /** Incoming HTTP requests by route, method and status class: their count and latency histogram. */
  readonly httpRequests: RequestMetrics;
  /** Records written (profiles, companies, events). */
  readonly recordsWritten: Counter<'kind'>;
  /** Data warnings (truncations, dropped values, reserved names). */
  readonly dataWarnings: Counter<'kind' | 'reason'>;
  /** Attempt outcomes: where each attempt left its delivery (succeeded, retry, failed, skipped, cancelled). */
  readonly deliveries: Counter<'destination' | 'topic' | 'outcome'>;
  /** Attempt latency by destination kind and status class. */
  readonly attemptDuration: Histogram<'destination' | 'status_class'>;
  /** Deliveries the recovery sweep picked up (interrupted attempts, missing jobs, unwritten fan-outs). */
  readonly sweepRecoveries: Counter;
  private backlogReader: BacklogReader | undefined;
  /** The reading in progress: the four gauges of one scrape share it. */
  private snapshot: Promise<BacklogSnapshot | undefined> | undefined;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.httpRequests = new RequestMetrics(registry, LATENCY_BUCKETS);
    this.recordsWritten = new Counter({
      name: 'chameleon_hooks_records_written_total',
      help: 'Profiles, companies and events written',
      labelNames: ['kind'],
      registers,
    });
    this.dataWarnings = new Counter({
      name: 'chameleon_hooks_data_warnings_total',
      help: 'Data warnings (truncated values, dropped values, reserved names), by kind and reason',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'chameleon_hooks_deliveries_total',
      help: 'Delivery attempts by outcome (succeeded, retry, failed, skipped, cancelled), destination kind and topic',
      labelNames: ['destination', 'topic', 'outcome'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'chameleon_hooks_attempt_duration_seconds',
      help: 'Duration of delivery attempts, by destination kind and status class',
      labelNames: ['destination', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.sweepRecoveries = new Counter({
      name: 'chameleon_hooks_sweep_recoveries_total',
      help: 'Deliveries the recovery sweep picked up in this process',
      registers,
    });
    const gauge = (name: string, help: string, pick: (s: BacklogSnapshot) => number): void => {
      const read = (): Promise<BacklogSnapshot | undefined> => this.readBacklog();
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const snapshot = await read();
          if (snapshot) this.set(pick(snapshot));
        },
      });
    };
    gauge('chameleon_hooks_deliveries_pending', 'Deliveries waiting for an attempt (all processes)', (s) => s.pending);
    gauge('chameleon_hooks_oldest_pending_age_seconds', 'Age of the oldest pending delivery', (s) => s.oldestPendingAgeSeconds);
    gauge('chameleon_hooks_deliveries_due', 'Pending deliveries whose next attempt is due or overdue', (s) => s.due);
    gauge('chameleon_hooks_agenda_jobs_locked', 'Agenda attempt jobs currently locked', (s) => s.jobsLocked);
  }

  /** Sets where the backlog gauges read from (once the package is connected). */
  setBacklogReader(reader: BacklogReader): void {
    this.backlogReader = reader;
    this.snapshot = undefined;
  }

  /** Stops reading the backlog through `reader` (its package closed); another instance's reader stays. */
  clearBacklogReader(reader: BacklogReader): void {
    if (this.backlogReader !== reader) return;
    this.backlogReader = undefined;
    this.snapshot = undefined;
  }

  /** One database reading shared by the four gauges of a scrape; a failed reading leaves them as they were. */
  private readBacklog(): Promise<BacklogSnapshot | undefined> {
    const reader = this.backlogReader;
    if (!reader) return Promise.resolve(undefined);
    if (this.snapshot) return this.snapshot;
    const value = reader()
      .catch(() => undefined)
      .finally(() => {
        if (this.snapshot === value) this.snapshot = undefined;
      });
    this.snapshot = value;
    return value;
  }
}

/** One `Metrics` per registry, so several package instances on one registry share the metrics. */
const byRegistry = new WeakMap<Registry, Metrics>();

/**
 * The package's metrics in `registry` (created on first use; a second package instance on the same
 * registry shares them instead of failing on duplicate names).
 */
export function metricsFor(registry: Registry): Metrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = new Metrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}

/** A new private registry, for a package instance the host gave none. */
export function privateRegistry(): Registry {
  return new Registry();
}

/**
 * The status class of an HTTP status (`2xx`…`5xx`), or `none` when there was no response.
 * @example statusClass(404) // '4xx'
 */
export function statusClass(status: number | null | undefined): string {
  return typeof status === 'number' && status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'none';
}
