/**
 * The `404` of unknown routes under the package's own `/v3` paths. Mounted at `/`, only the path
 * prefixes the package serves (`/v3/observe/hooks`, `/v3/analyze/profiles`, `/v3/edit/webhooks`,
 * …, read from its routes) are answered, and any other `/v3/…` path passes on to the host's
 * routes; under a mount path of its own (`/chameleon`), every `/v3/…` path is the package's. The message names the route as a pattern, never the path as
 * sent: a secret in the path (`/v3/observe/hooks/<secret>/profilez`) is never echoed.
 */
import type { RequestHandler, Router } from 'express';
import { ChameleonError } from '../errors.js';

/** Segments of a route path, e.g. `/v3/edit/webhooks/:id` → `['v3', 'edit', 'webhooks', ':id']`. */
function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** Non-literal path segments at least this long are shown as `:value` (secrets are at least 16 characters). */
const LONG_SEGMENT = 16;

/** What the router's routes tell: the `/v3` prefixes it owns, and every literal segment. */
interface RouteTable {
  prefixes: string[][];
  literals: Set<string>;
}

function readRoutes(router: Router): RouteTable {
  const prefixes: string[][] = [];
  const literals = new Set<string>();
  for (const layer of router.stack as Array<{ route?: { path?: unknown } }>) {
    const path = layer.route?.path;
    if (typeof path !== 'string' || !path.startsWith('/v3/')) continue;
    const parts = segments(path);
    for (const part of parts) if (!part.startsWith(':')) literals.add(part);
    const end = parts.findIndex((p) => p.startsWith(':'));
    const prefix = parts.slice(0, Math.min(end === -1 ? parts.length : end, 3));
    if (!prefixes.some((p) => p.join('/') === prefix.join('/'))) prefixes.push(prefix);
  }
  return { prefixes, literals };
}

/**
 * The path as a route pattern: the account-secret position under `/v3/observe/hooks/` becomes
 * `:account_secret`, a 24-hex id `:id`, and any other long segment that is none of the
 * package's words `:value`.
 *
 * @example
 * patternOf(['v3', 'observe', 'hooks', 'acct_s3cr3t…', 'profilez'], literals) // '/v3/observe/hooks/:account_secret/profilez'
 */
export function patternOf(parts: readonly string[], literals: ReadonlySet<string>): string {
  const secretAt = parts[0] === 'v3' && parts[1] === 'observe' && parts[2] === 'hooks' && parts.length > 4 ? 3 : -1;
  return `/${parts
    .map((part, i) => {
      if (literals.has(part)) return part;
      if (i === secretAt) return ':account_secret';
      if (/^[0-9a-fA-F]{24}$/.test(part)) return ':id';
      return part.length >= LONG_SEGMENT ? ':value' : part;
    })
    .join('/')}`;
}

/** A middleware (mount it at `/v3`, after the routes) that answers `404` for unknown routes under the package's own prefixes. */
export function notFound(router: Router): RequestHandler {
  let table: RouteTable | undefined;
  return (req, _res, next) => {
    table ??= readRoutes(router);
    const parts = ['v3', ...segments(req.path)];
    const mount = req.baseUrl.replace(/\/v3$/, '');
    // Under a mount path of its own (`/chameleon`) every `/v3` path is the package's; at `/` only its prefixes.
    const own = mount !== '' || table.prefixes.some((prefix) => prefix.length <= parts.length && prefix.every((p, i) => p === parts[i]));
    if (!own) {
      next();
      return;
    }
    next(new ChameleonError('CH_ERR_NOT_FOUND', `No route for ${req.method} ${mount}${patternOf(parts, table.literals)}`));
  };
}
