// Activity: recent incoming profiles, companies and events, and recent published webhooks,
// newest first, a page at a time.
import { html, link, params, useApi, when, excerpt } from '../lib.js';
import { ErrorBox, Loading, Pager, Table, Tabs } from '../components.js';

const KINDS = [['profiles', 'Profiles'], ['companies', 'Companies'], ['events', 'Events'], ['webhooks', 'Published webhooks']];

/** The page title. */
export const title = () => 'Activity';

function others(item, fixed) {
  const rest = {};
  for (const [k, v] of Object.entries(item)) if (!fixed.includes(k)) rest[k] = v;
  return excerpt(rest, 160);
}

const COLUMNS = {
  profiles: [
    ['Updated', (p) => when(p.updated_at)],
    ['uid', (p) => p.uid ?? '—'],
    ['Email', (p) => p.email ?? '—'],
    ['Properties', (p) => html`<code>${others(p, ['id', 'uid', 'email', 'company_id', 'created_at', 'updated_at'])}</code>`],
    ['Id', (p) => html`<code>${p.id}</code>`],
  ],
  companies: [
    ['Updated', (c) => when(c.updated_at)],
    ['uid', (c) => c.uid ?? '—'],
    ['Properties', (c) => html`<code>${others(c, ['id', 'uid', 'created_at', 'updated_at'])}</code>`],
    ['Id', (c) => html`<code>${c.id}</code>`],
  ],
  events: [
    ['Received', (e) => when(e.created_at)],
    ['Name', (e) => e.name],
    ['Profile', (e) => html`<code>${e.profile_id}</code>`],
    ['Properties', (e) => html`<code>${excerpt(e.properties, 160)}</code>`],
  ],
  webhooks: [
    ['Published', (w) => when(w.created_at)],
    ['Topic', (w) => html`<code>${w.kind}</code>`],
    ['Deliveries', (w) => html`<a href=${link('deliveries', { webhook: w.id })}>${w.deliveries ?? '—'}</a>`],
    ['Data', (w) => html`<code>${excerpt(w.data, 160)}</code>`],
  ],
};

function List({ kind }) {
  const before = params.get('before') ?? undefined;
  const { data, error, loading } = useApi(`activity/${kind}`, { before }, `${kind}|${before}`);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading && !data) return html`<${Loading} />`;
  return html`
    <${Table} caption=${`Recent ${kind}`} rows=${data.items} rowKey=${(i) => i.id} empty="Nothing received yet." columns=${COLUMNS[kind]} />
    <${Pager} path="activity" next=${data.next} keep=${{ kind }} />`;
}

/** The page. */
export function Page() {
  const kind = KINDS.some(([k]) => k === params.get('kind')) ? params.get('kind') : 'profiles';
  return html`
    <${Tabs} label="Kind of activity" path="activity" param="kind" value=${kind} tabs=${KINDS} />
    <${List} kind=${kind} />`;
}
