/**
 * The dashboard's browser defences: a strict Content-Security-Policy (nothing but the package's
 * own scripts and styles, no inline script, no eval), `nosniff`, configurable `frame-ancestors`,
 * no caching, and the CSRF check every action passes: a custom header a cross-site form cannot
 * send, and refusal of any request the browser marks as coming from another origin.
 */
import type { Request, RequestHandler } from 'express';
import { ChameleonError } from '../errors.js';

/** The header every dashboard action carries (a cross-site form cannot set it; a cross-site fetch would need CORS, which is never granted). */
export const CSRF_HEADER = 'x-chameleon-dashboard';

/** The CSP of every dashboard response. */
export function contentSecurityPolicy(frameAncestors: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.join(' ')}`,
  ].join('; ');
}

/** Sets the security headers on every dashboard response. */
export function securityHeaders(frameAncestors: readonly string[]): RequestHandler {
  const csp = contentSecurityPolicy(frameAncestors);
  const framedNever = frameAncestors.length === 1 && frameAncestors[0] === "'none'";
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (framedNever) res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

/** Whether the request's `Origin` (when the browser sends one) is this server's own origin. */
function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (typeof host !== 'string' || host.length === 0) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Refuses a state-changing request (`403`) unless it carries {@link CSRF_HEADER} and nothing
 * marks it cross-origin: `Sec-Fetch-Site` other than `same-origin` (modern browsers), or an
 * `Origin` whose host is not the request's `Host`.
 */
export const requireSameOriginAction: RequestHandler = (req, _res, next) => {
  if (req.headers[CSRF_HEADER] !== '1') {
    next(new ChameleonError('CH_ERR_FORBIDDEN', `Dashboard actions must be sent by the dashboard (missing the ${CSRF_HEADER} header)`));
    return;
  }
  const site = req.headers['sec-fetch-site'];
  if ((site !== undefined && site !== 'same-origin') || !sameOrigin(req)) {
    next(new ChameleonError('CH_ERR_FORBIDDEN', 'Cross-origin requests cannot act on the dashboard'));
    return;
  }
  next();
};
