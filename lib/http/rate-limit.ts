/**
 * The optional per-account rate limit, built on `express-rate-limit` (counted in this
 * process's memory). Over the limit, the request fails with `RateLimitedError`, which the
 * error middleware answers as `429 {code, messages, wait}` with `X-Ratelimit-Wait`.
 */
import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { RateLimitedError } from '../errors.js';
import type { Config } from '../options.js';
import { accountOf } from './auth.js';

/** A middleware limiting each authenticated account, or a pass-through when the limit is off. */
export function accountRateLimit(config: Pick<Config, 'rateLimit'>): RequestHandler {
  if (config.rateLimit === false) return (_req, _res, next) => next();
  const { windowMs, limit } = config.rateLimit;
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Keyed by the account the request authenticated as, never by IP (partners share IPs).
    keyGenerator: (_req, res) => accountOf(res).id,
    handler: (req, _res, next) => {
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const wait = Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000));
      next(new RateLimitedError(wait));
    },
  });
}
