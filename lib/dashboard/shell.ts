/**
 * The one HTML document behind every dashboard page: no data and no inline script, only a
 * relative `<base>` (so the same document works under any mount path and any page depth),
 * the stylesheet and the module script that renders the page named by the URL.
 */
import type { RequestHandler } from 'express';

/** Every page's path, relative to the mount (each its own URL, bookmarkable). */
export const PAGE_PATHS = ['/', '/endpoints', '/endpoints/:id', '/deliveries', '/deliveries/:id', '/data', '/activity', '/integrations'];

function shell(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="${base}">
<title>Webhooks dashboard</title>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/style.css">
<script type="module" src="assets/app.js"></script>
</head>
<body>
<div id="app"><p class="loading">Loading…</p><noscript>This dashboard needs JavaScript.</noscript></div>
</body>
</html>
`;
}

/**
 * Answers a page. The mount itself without its trailing slash (`/admin/hooks`) is redirected to
 * `/admin/hooks/`, so relative URLs resolve under the mount.
 */
export const pageHandler: RequestHandler = (req, res) => {
  const path = req.originalUrl.split('?')[0]!;
  if (req.path === '/' && !path.endsWith('/')) {
    const last = path.slice(path.lastIndexOf('/') + 1);
    const query = req.originalUrl.slice(path.length);
    res.redirect(302, `${last}/${query}`);
    return;
  }
  const depth = req.path.split('/').length - 2; // '/' → 0, '/data' → 0, '/deliveries/x' → 1
  res.type('html').send(shell(depth > 0 ? '../'.repeat(depth) : './'));
};
