// Shared helpers of the dashboard pages: htm bound to Preact, the JSON API client (with the
// CSRF header on every call), relative links that keep the chosen account, and formatting.
// Everything from the API is rendered as text by Preact: no page ever sets innerHTML.
import { h, render } from './vendor/preact.js';
import { useState, useEffect, useCallback } from './vendor/hooks.js';
import htm from './vendor/htm.js';

/** Tagged templates that build Preact elements (text is always escaped by Preact). */
export const html = htm.bind(h);

export { h, render, useState, useEffect, useCallback };

/** The header every dashboard call carries (the server refuses actions without it). */
const CSRF_HEADER = 'X-Chameleon-Dashboard';

/** The page's own query parameters. */
export const params = new URLSearchParams(location.search);

/** The account being viewed, when the URL names one (operators switching accounts). */
const accountParam = params.get('account');

/** A relative URL to `path` with `query`, keeping the chosen account. Empty values are left out. */
export function link(path, query = {}) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') q.set(key, String(value));
  if (accountParam && !q.has('account')) q.set('account', accountParam);
  const s = q.toString();
  return (path === '' ? './' : path) + (s ? `?${s}` : '');
}

/** The path of the current page relative to the dashboard's mount, e.g. `deliveries/65ab…`. */
export function pagePath() {
  const base = new URL(document.baseURI).pathname;
  const path = location.pathname;
  return path.startsWith(base) ? decodeURIComponent(path.slice(base.length)).replace(/\/+$/, '') : '';
}

/** An error the API answered, with its `{code, messages}`. */
export class ApiError extends Error {
  constructor(status, messages) {
    super(messages.join('; '));
    this.status = status;
    this.messages = messages;
  }
}

async function call(method, path, query, body) {
  const headers = { Accept: 'application/json', [CSRF_HEADER]: '1' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(link(`api/${path}`, query), {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new ApiError(res.status, Array.isArray(json?.messages) ? json.messages.map(String) : [`HTTP ${res.status}`]);
  return json;
}

/** The JSON API of the dashboard, relative to its mount. */
export const api = {
  get: (path, query) => call('GET', path, query),
  post: (path, body = {}, query) => call('POST', path, query, body),
  patch: (path, body = {}, query) => call('PATCH', path, query, body),
  put: (path, body = {}, query) => call('PUT', path, query, body),
  del: (path, query) => call('DELETE', path, query),
};

/** Loads `path` (re-run when `key` changes): `{ data, error, loading, reload }`. */
export function useApi(path, query, key = '') {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api.get(path, query).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A date as local date and time, or an em dash. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** How long ago `iso` was, or how far ahead it is, in words (`3 min ago`, `in 60 s`). */
export function ago(iso) {
  if (!iso) return '—';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(s)) return '—';
  const a = Math.abs(s);
  const text = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86400 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return s < 0 ? `in ${text}` : `${text} ago`;
}

/** A duration in ms as `850 ms` / `3.2 s` / `4 min`. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3600000) return `${Math.round(ms / 60000)} min`;
  return `${(ms / 3600000).toFixed(1)} h`;
}

/** Any value as one line of text, cut at `max` characters. */
export function excerpt(value, max = 120) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A percentage from a 0–1 rate, or an em dash. */
export function percent(rate) {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10} %`;
}
