/**
 * `405 Method Not Allowed` for the package's routes: a known path asked with a method it does not
 * have answers 405 with an `Allow` header, in the `{code, messages}` format, instead of 404.
 * (Found by Schemathesis: an undeclared method on a documented path must not look like a missing route.)
 */
import type { Router } from 'express';
import { ChameleonError } from '../errors.js';

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
}

/**
 * Adds, after every route already in `router`, a catch-all per route path that answers 405 listing the
 * methods that path has; `OPTIONS` answers 204 with the same `Allow` header.
 */
export function mountMethodNotAllowed(router: Router): void {
  const allowed = new Map<string, Set<string>>();
  for (const layer of (router as unknown as { stack: Layer[] }).stack) {
    const route = layer.route;
    if (!route || typeof route.path !== 'string') continue;
    const methods = allowed.get(route.path) ?? new Set<string>();
    for (const [method, on] of Object.entries(route.methods)) if (on && method !== '_all') methods.add(method.toUpperCase());
    allowed.set(route.path, methods);
  }
  for (const [path, methods] of allowed) {
    if (methods.has('GET')) methods.add('HEAD');
    const allow = [...methods].sort().join(', ');
    router.all(path, (req, res, next) => {
      res.setHeader('Allow', allow);
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      next(new ChameleonError('CH_ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed here; allowed: ${allow}`));
    });
  }
}
