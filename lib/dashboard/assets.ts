/**
 * The dashboard's static files, served from the package itself (no CDN, no build step): the
 * page scripts and stylesheet in `dashboard-ui/`, and the installed Preact 10 (with its hooks)
 * and htm as browser ES modules. Every URL is relative, so any mount path works.
 */
import express, { type Router } from 'express';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the dashboard's own scripts and styles (`dashboard-ui/` in the package). */
export const UI_DIR = fileURLToPath(new URL('../../dashboard-ui/', import.meta.url));

const require = createRequire(import.meta.url);

/**
 * The vendor modules, read once. `preact/hooks` imports the bare specifier `"preact"`, which a
 * browser can only resolve through an import map (an inline script, which the CSP forbids), so
 * that one specifier is pointed at the sibling file; source-map comments are dropped (the maps
 * are not served).
 */
function vendorModules(): Map<string, string> {
  const preactDir = dirname(require.resolve('preact')); // …/preact/dist
  const htmDir = dirname(require.resolve('htm')); // …/htm/dist
  const read = (path: string) => readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  const hooks = read(join(preactDir, '..', 'hooks', 'dist', 'hooks.module.js')).replace(/from\s*"preact"/g, 'from"./preact.js"');
  if (/from\s*"(?!\.\/)/.test(hooks)) throw new Error('preact/hooks imports a module the dashboard does not serve');
  return new Map([
    ['preact.js', read(join(preactDir, 'preact.module.js'))],
    ['hooks.js', hooks],
    ['htm.js', read(join(htmDir, 'htm.module.js'))],
  ]);
}

/** Serves `assets/…`. Unknown files fall through (to a `404`). */
export function assetsRouter(): Router {
  const router = express.Router();
  const vendor = vendorModules();
  router.get('/vendor/:file', (req, res, next) => {
    const source = vendor.get(String(req.params.file));
    if (source === undefined) return next();
    res.type('text/javascript').send(source);
  });
  router.use(express.static(UI_DIR, { index: false, fallthrough: true, dotfiles: 'ignore', redirect: false }));
  return router;
}
