// Building blocks shared by the pages: the layout (header, account switcher, navigation),
// tables, pagers, tabs, state badges and the error/loading boxes. All text, no innerHTML.
import { html, link, params } from './lib.js';

/** The pages in the navigation: [path, label]. */
export const NAV = [
  ['', 'Overview'],
  ['endpoints', 'Endpoints'],
  ['deliveries', 'Deliveries'],
  ['data', 'Data management'],
  ['activity', 'Activity'],
  ['integrations', 'Integrations'],
];

function AccountSwitcher({ session }) {
  if (!session.all_accounts) return html`<span class="account">Account <strong>${session.account.name}</strong></span>`;
  return html`
    <form class="account" method="get" action="./">
      <label for="account-select">Account</label>
      <select id="account-select" name="account">
        ${session.accounts.map((a) => html`<option value=${a.id} selected=${a.id === session.account.id}>${a.name} (${a.id})</option>`)}
      </select>
      <button type="submit">Switch</button>
    </form>`;
}

/** The frame of every page. */
export function Layout({ session, section, title, children }) {
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">Webhooks</span>
      <${AccountSwitcher} session=${session} />
      <span class=${`role role-${session.role}`} title="Your role">${session.role}</span>
    </header>
    <nav aria-label="Main" class="nav">
      <ul>
        ${NAV.map(([path, label]) => html`<li><a href=${link(path)} aria-current=${section === path ? 'page' : undefined}>${label}</a></li>`)}
      </ul>
    </nav>
    <main id="main" tabindex="-1">
      <h1>${title}</h1>
      ${children}
    </main>`;
}

/** An error from the API (or anything thrown), as text. */
export function ErrorBox({ error }) {
  if (!error) return null;
  const messages = error.messages ?? [String(error.message ?? error)];
  return html`<div class="error" role="alert">${messages.map((m) => html`<p>${m}</p>`)}</div>`;
}

/** A short-lived status line for the result of an action. */
export function Notice({ notice }) {
  if (!notice) return null;
  return html`<p class=${`notice notice-${notice.kind}`} role="status">${notice.text}</p>`;
}

/** Shown while a list loads. */
export function Loading({ what = 'Loading' }) {
  return html`<p class="loading" role="status">${what}…</p>`;
}

/**
 * A table: `columns` are `[label, (row) => cell]`; `empty` is the text when there are no rows.
 * Wide tables scroll sideways inside their box on a narrow window.
 */
export function Table({ caption, columns, rows, empty = 'Nothing yet.', rowKey }) {
  if (!rows || rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`
    <div class="table-wrap" tabindex="0" role="region" aria-label=${caption}>
      <table>
        <caption>${caption}</caption>
        <thead><tr>${columns.map(([label]) => html`<th scope="col">${label}</th>`)}</tr></thead>
        <tbody>
          ${rows.map((row, i) => html`<tr key=${rowKey ? rowKey(row) : i}>${columns.map(([, cell]) => html`<td>${cell(row)}</td>`)}</tr>`)}
        </tbody>
      </table>
    </div>`;
}

/** "Newer / next page" links: `cursorParam` carries the API's cursor in the page URL. */
export function Pager({ path, next, cursorParam = 'before', keep = {} }) {
  const first = params.get(cursorParam);
  if (!next && !first) return null;
  return html`
    <nav class="pager" aria-label="Pages">
      ${first ? html`<a href=${link(path, keep)}>First page</a>` : null}
      ${next ? html`<a href=${link(path, { ...keep, [cursorParam]: next })} rel="next">Next page</a>` : null}
    </nav>`;
}

/** Tabs as ordinary links (each tab its own URL). */
export function Tabs({ label, path, param, value, tabs, keep = {} }) {
  return html`
    <nav class="tabs" aria-label=${label}>
      ${tabs.map(([v, text]) => html`<a href=${link(path, { ...keep, [param]: v })} aria-current=${v === value ? 'page' : undefined}>${text}</a>`)}
    </nav>`;
}

/** A delivery or endpoint state as a coloured badge with its word (colour is never the only cue). */
export function Badge({ state }) {
  return html`<span class=${`badge badge-${String(state).replace(/[^a-z]/g, '')}`}>${state}</span>`;
}
