// The dashboard's entry module: finds the page named by the URL, loads the session (who is
// looking, which account, which role) and renders the page inside the layout.
import { html, render, api, pagePath, useApi } from './lib.js';
import { Layout, ErrorBox, Loading } from './components.js';

/** Page modules by first path segment; each exports `title(rest)` and `Page({ session, rest })`. */
const PAGES = {
  '': () => import('./pages/overview.js'),
  endpoints: () => import('./pages/endpoints.js'),
  deliveries: () => import('./pages/deliveries.js'),
  data: () => import('./pages/data.js'),
  activity: () => import('./pages/activity.js'),
  integrations: () => import('./pages/integrations.js'),
};

function App({ section, rest, page }) {
  const session = useApi('session');
  if (session.error) return html`<main id="main"><h1>Webhooks dashboard</h1><${ErrorBox} error=${session.error} /></main>`;
  if (!session.data) return html`<${Loading} what="Signing in" />`;
  const { Page, title } = page;
  return html`
    <${Layout} session=${session.data} section=${section} title=${title(rest)}>
      <${Page} session=${session.data} rest=${rest} />
    <//>`;
}

async function main() {
  const root = document.getElementById('app');
  const [section, ...restParts] = pagePath().split('/');
  const load = PAGES[section];
  if (!load) {
    render(html`<main id="main"><h1>Not found</h1></main>`, root);
    return;
  }
  const page = await load();
  document.title = `${page.title(restParts.join('/'))} · Webhooks dashboard`;
  root.textContent = '';
  render(html`<${App} section=${section} rest=${restParts.join('/')} page=${page} />`, root);
}

void api; // the API client is shared by the pages
main().catch((error) => {
  const root = document.getElementById('app');
  root.textContent = `The dashboard could not start: ${error?.message ?? error}`;
});
