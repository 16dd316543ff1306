/**
 * The one place where errors become HTTP answers: `{code, messages}` with the registry's
 * status, never an HTML page or a stack trace. Unexpected errors are logged and answer 500.
 */
import type { ErrorRequestHandler } from 'express';
import { BusyError, ChameleonError, isDatabaseUnavailable, toHttpError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Answers every error thrown below the package's router. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, body } = toHttpError(error);
    if (status === 503 && isDatabaseUnavailable(error)) {
      res.setHeader('Retry-After', '5');
      logger.warn({ err: error, method: req.method, path: req.path }, 'chameleon-hooks: database unavailable');
    } else if (status >= 500 && !(error instanceof ChameleonError)) {
      logger.error({ err: error, method: req.method, path: req.path }, 'chameleon-hooks: unexpected error');
    } else if (error instanceof BusyError) {
      res.setHeader('Retry-After', String(error.retryAfter));
    } else if (status === 429 && body.wait !== undefined) {
      res.setHeader('X-Ratelimit-Wait', String(body.wait));
    }
    res.status(status).json(body);
  };
}
