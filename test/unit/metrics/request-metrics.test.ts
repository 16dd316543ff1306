import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { RequestMetrics } from '../../../lib/metrics/request-metrics.js';

/** The exposition lines of `registry` that start with `prefix`. */
async function lines(registry: Registry, prefix: string): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((line) => line.startsWith(prefix));
}

describe('RequestMetrics', () => {
  it('should expose a counter and a cumulative histogram in the Prometheus text format', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry, [0.01, 0.1, 1]);
    metrics.record('/v3/observe/hooks/:account_secret/profiles', 'POST', '2xx', 0.004);
    metrics.record('/v3/observe/hooks/:account_secret/profiles', 'POST', '2xx', 0.05);
    metrics.record('/v3/observe/hooks/:account_secret/profiles', 'POST', '2xx', 3);
    metrics.record('unmatched', 'GET', '4xx', 0.2);

    const route = 'route="/v3/observe/hooks/:account_secret/profiles",method="POST",status_class="2xx"';
    expect(await lines(registry, '# TYPE chameleon_hooks_http_requests_total')).toEqual(['# TYPE chameleon_hooks_http_requests_total counter']);
    expect(await lines(registry, '# TYPE chameleon_hooks_http_request_duration_seconds')).toEqual(['# TYPE chameleon_hooks_http_request_duration_seconds histogram']);
    expect(await lines(registry, 'chameleon_hooks_http_requests_total{')).toEqual([
      `chameleon_hooks_http_requests_total{${route}} 3`,
      'chameleon_hooks_http_requests_total{route="unmatched",method="GET",status_class="4xx"} 1',
    ]);
    expect(await lines(registry, `chameleon_hooks_http_request_duration_seconds_bucket{${route}`)).toEqual([
      `chameleon_hooks_http_request_duration_seconds_bucket{${route},le="0.01"} 1`,
      `chameleon_hooks_http_request_duration_seconds_bucket{${route},le="0.1"} 2`,
      `chameleon_hooks_http_request_duration_seconds_bucket{${route},le="1"} 2`,
      `chameleon_hooks_http_request_duration_seconds_bucket{${route},le="+Inf"} 3`,
    ]);
    expect(await lines(registry, `chameleon_hooks_http_request_duration_seconds_sum{${route}}`)).toEqual([`chameleon_hooks_http_request_duration_seconds_sum{${route}} 3.054`]);
    expect(await lines(registry, `chameleon_hooks_http_request_duration_seconds_count{${route}}`)).toEqual([`chameleon_hooks_http_request_duration_seconds_count{${route}} 3`]);
  });

  it('should count a duration equal to a bound in that bucket, and start again after a reset', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry, [0.5]);
    metrics.record('r', 'GET', '2xx', 0.5);
    expect(await lines(registry, 'chameleon_hooks_http_request_duration_seconds_bucket')).toEqual([
      'chameleon_hooks_http_request_duration_seconds_bucket{route="r",method="GET",status_class="2xx",le="0.5"} 1',
      'chameleon_hooks_http_request_duration_seconds_bucket{route="r",method="GET",status_class="2xx",le="+Inf"} 1',
    ]);
    registry.resetMetrics();
    expect(await lines(registry, 'chameleon_hooks_http_requests_total{')).toEqual([]);
  });

  it('should escape label values and refuse a second registration of the same names', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry, [1]);
    metrics.record('/a"b\\c', 'GET', '2xx', 0.1);
    expect(await lines(registry, 'chameleon_hooks_http_requests_total{')).toEqual(['chameleon_hooks_http_requests_total{route="/a\\"b\\\\c",method="GET",status_class="2xx"} 1']);
    expect(() => new RequestMetrics(registry, [1])).toThrow(/already been registered/);
  });
});
