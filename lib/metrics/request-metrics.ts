/**
 * The incoming-request counter (`chameleon_hooks_http_requests_total`) and latency histogram
 * (`chameleon_hooks_http_request_duration_seconds`), kept as plain tallies per label set and
 * handed to the prom-client registry as two metrics it reads when scraped.
 *
 * Written by hand, on prom-client's own metric interface, because prom-client's `Counter` and
 * `Histogram` build and validate a label hash on every observation (children made by `labels()`
 * too), and this is recorded once for every request the package answers, the data-in hot path
 * included. Here a request costs one map lookup and a bucket search. The exposition is still
 * prom-client's: the registry formats (and, under `AggregatorRegistry`, sums) what `get()` returns,
 * in the same shape as its own counters and histograms.
 */
import type { Registry } from 'prom-client';

/** The counter's name. */
const COUNTER = 'chameleon_hooks_http_requests_total';
/** The histogram's name (its series are `_bucket`, `_sum` and `_count`). */
const HISTOGRAM = 'chameleon_hooks_http_request_duration_seconds';

/** The labels of one series. */
interface RequestLabels {
  route: string;
  method: string;
  status_class: string;
}

/** One label set's tallies. */
interface Series {
  labels: RequestLabels;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative), one slot per upper bound. */
  buckets: number[];
}

/** What prom-client's registry reads from a metric (its `MetricObjectWithValues`). */
interface Exposed {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>;
}

/** The request counter and histogram of one registry. */
export class RequestMetrics {
  private readonly series = new Map<string, Series>();

  /**
   * Registers both metrics in `registry`.
   * @param buckets - the histogram's upper bounds in seconds, ascending.
   */
  constructor(
    registry: Registry,
    private readonly buckets: readonly number[],
  ) {
    this.register(registry, COUNTER, 'Incoming HTTP requests answered, by route pattern, method and status class', 'counter', () => this.counterValues());
    this.register(registry, HISTOGRAM, 'Time to answer incoming HTTP requests, by route pattern, method and status class', 'histogram', () => this.histogramValues());
  }

  /** Registers one metric that the registry reads through `get()` when scraped. */
  private register(registry: Registry, name: string, help: string, type: Exposed['type'], values: () => Exposed['values']): void {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum' as const,
      get: async (): Promise<Exposed> => ({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => this.series.clear(),
    };
    // prom-client's registry takes any object with a name and `get()` (its `Metric` type is a class union).
    registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** Counts one answered request and its duration in seconds. */
  record(route: string, method: string, statusClass: string, seconds: number): void {
    const key = `${route} ${method} ${statusClass}`;
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { route, method, status_class: statusClass }, count: 0, sum: 0, buckets: this.buckets.map(() => 0) };
      this.series.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    const bounds = this.buckets;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]!) {
        series.buckets[i]! += 1;
        break;
      }
    }
  }

  private counterValues(): Exposed['values'] {
    return [...this.series.values()].map((s) => ({ value: s.count, labels: { ...s.labels } }));
  }

  private histogramValues(): Exposed['values'] {
    const values: Exposed['values'] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.buckets[i]!;
        values.push({ value: cumulative, labels: { ...s.labels, le: bound }, metricName: `${HISTOGRAM}_bucket` });
      });
      values.push({ value: s.count, labels: { ...s.labels, le: '+Inf' }, metricName: `${HISTOGRAM}_bucket` });
      values.push({ value: s.sum, labels: { ...s.labels }, metricName: `${HISTOGRAM}_sum` });
      values.push({ value: s.count, labels: { ...s.labels }, metricName: `${HISTOGRAM}_count` });
    }
    return values;
  }
}
