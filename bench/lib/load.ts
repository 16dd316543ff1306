/**
 * HTTP load with autocannon, run programmatically in the orchestrating process (never the
 * server process), always on loopback and bounded in time and per-request timeout.
 */
import { createRequire } from 'node:module';

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

interface AutocannonResult {
  requests: Histogram & { total: number; sent: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  method: string;
  headers: Record<string, string>;
  requests: Array<AutocannonRequest & { setupRequest(request: AutocannonRequest): AutocannonRequest }>;
}) => Promise<AutocannonResult>;

// autocannon is CommonJS without bundled types: load it with require and type what is used.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** One load run. */
export interface LoadOptions {
  /** A loopback URL. */
  url: string;
  connections: number;
  durationS: number;
  /** The body of the `n`-th request (n counts from 0 within this run). */
  body(n: number): string;
  /** Per-request timeout in seconds (default 10). */
  timeoutS?: number;
  /** Requests per second offered in all (autocannon's `overallRate`); unset: as fast as answered. */
  rate?: number;
}

/** What a load run measured. */
export interface LoadResult {
  /** Completed requests (any status). */
  requests: number;
  durationS: number;
  /** Completed requests per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Responses outside 2xx. */
  non2xx: number;
  /** Connection errors, including timeouts. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/** Runs POST load against `url` for `durationS` seconds. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error(`load stays on loopback; refusing ${url.hostname}`);
  let n = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    timeout: options.timeoutS ?? 10,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: options.body(n++) }) }],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = Number(stat.count);
  return {
    requests: result.requests.total,
    durationS: result.duration,
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}
