/**
 * The Express middleware that counts and times the package's incoming requests, labelled by the
 * matched route pattern (e.g. `/v3/observe/hooks/:account_secret/profiles`, never the secret or an
 * id), the method and the status class.
 */
import type { Request, RequestHandler, Response } from 'express';
import { statusClass, type Metrics } from './metrics.js';

/** Label of a request that matched no route of the package but was answered by it (`404`, or an error). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Methods kept as labels; anything else is counted as `other` (cardinality stays bounded). */
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Marks a request the package passed on to the host (it answered nothing itself). */
const PASSED_ON = Symbol('chameleon-hooks.passedOn');

type MarkedRequest = { [PASSED_ON]?: boolean };

/**
 * The two ends of the request metrics: `enter` goes first in the package's router and counts and
 * times each request the package answers; `leave` goes last and marks the requests it passes on to
 * the host's own routes, which are not counted.
 */
/** When the package started answering a request (set by `enter`). */
const STARTED = Symbol('chameleon-hooks.started');

type TimedResponse = Response & { [STARTED]?: number; req: Request & MarkedRequest };

/**
 * The two ends of the request metrics: `enter` goes first in the package's router and counts and
 * times each request the package answers; `leave` goes last and marks the requests it passes on to
 * the host's own routes, which are not counted.
 *
 * Hot path: one shared `close` listener (no closure per request); the start time rides on the
 * response, and `RequestMetrics` tallies without prom-client's per-observation label hashing.
 */
export function httpMetrics(metrics: Metrics): { enter: RequestHandler; leave: RequestHandler } {
  const requests = metrics.httpRequests;
  // A response emits 'close' once: after 'finish', or when the connection drops first.
  function record(this: TimedResponse): void {
    const started = this[STARTED];
    if (started === undefined) return;
    this[STARTED] = undefined;
    const req = this.req;
    if (req[PASSED_ON]) return;
    const pattern = (req.route as { path?: unknown } | undefined)?.path;
    requests.record(
      typeof pattern === 'string' ? pattern : UNMATCHED_ROUTE,
      METHODS.has(req.method) ? req.method : 'other',
      this.headersSent ? statusClass(this.statusCode) : 'none',
      (performance.now() - started) / 1000,
    );
  }
  const leave: RequestHandler = (req, _res, next) => {
    (req as MarkedRequest)[PASSED_ON] = true;
    next();
  };
  const enter: RequestHandler = (_req, res, next) => {
    const timed = res as TimedResponse;
    if (timed[STARTED] === undefined) {
      timed[STARTED] = performance.now();
      res.on('close', record);
    }
    next();
  };
  return { enter, leave };
}
