/**
 * The Express middleware that counts and times the package's incoming requests, labelled by the
 * matched route pattern (e.g. `/v3/observe/hooks/:account_secret/profiles`, never the secret or an
 * id), the method and the status class.
 */
import type { RequestHandler } from 'express';
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
export function httpMetrics(metrics: Metrics): { enter: RequestHandler; leave: RequestHandler } {
  const leave: RequestHandler = (req, _res, next) => {
    (req as MarkedRequest)[PASSED_ON] = true;
    next();
  };
  const enter: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const record = (): void => {
      if (done) return;
      done = true;
      if ((req as MarkedRequest)[PASSED_ON]) return;
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const labels = {
        route: typeof pattern === 'string' ? pattern : UNMATCHED_ROUTE,
        method: METHODS.has(req.method) ? req.method : 'other',
        status_class: res.headersSent ? statusClass(res.statusCode) : 'none',
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    };
    // One listener: a response emits 'close' after 'finish', and also when the connection drops first.
    res.once('close', record);
    next();
  };
  return { enter, leave };
}
