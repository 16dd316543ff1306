// Overview: attempt outcomes per hour (24 h) and per day (7 days), the pending backlog and
// its oldest item, ingest counts, and every destination with its state.
import { html, link, useApi, ago } from '../lib.js';
import { Badge, ErrorBox, Loading, Table } from '../components.js';

/** The page title. */
export const title = () => 'Overview';

function Chart({ label, buckets, format }) {
  const max = Math.max(1, ...buckets.map((b) => b.succeeded + b.retrying + b.failed));
  const summary = buckets.reduce((s, b) => ({ succeeded: s.succeeded + b.succeeded, retrying: s.retrying + b.retrying, failed: s.failed + b.failed }), { succeeded: 0, retrying: 0, failed: 0 });
  return html`
    <figure class="chart-box">
      <figcaption>${label}: ${summary.succeeded} succeeded, ${summary.retrying} retrying, ${summary.failed} failed</figcaption>
      <div class="chart" role="img" aria-label=${`${label}: ${summary.succeeded} succeeded, ${summary.retrying} retrying, ${summary.failed} failed`}>
        ${buckets.map((b) => html`
          <div class="bar" title=${`${format(b.start)}: ${b.succeeded} succeeded, ${b.retrying} retrying, ${b.failed} failed`}>
            <div class="ok" style=${{ height: `${(b.succeeded / max) * 100}%` }}></div>
            <div class="retrying" style=${{ height: `${(b.retrying / max) * 100}%` }}></div>
            <div class="failed" style=${{ height: `${(b.failed / max) * 100}%` }}></div>
          </div>`)}
      </div>
      <div class="legend"><span class="ok">succeeded</span><span class="retrying">retrying</span><span class="failed">failed</span></div>
    </figure>`;
}

function Card({ label, value }) {
  return html`<div class="card"><div class="label">${label}</div><div class="value">${value}</div></div>`;
}

/** The page. */
export function Page() {
  const { data, error, loading } = useApi('overview');
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading && !data) return html`<${Loading} />`;
  const hour = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const day = (iso) => new Date(iso).toLocaleDateString();
  return html`
    <div class="cards">
      <${Card} label="Pending deliveries" value=${data.pending.count} />
      <${Card} label="Oldest pending" value=${data.pending.oldest_at ? ago(data.pending.oldest_at) : '—'} />
      <${Card} label="Profiles updated (24 h)" value=${data.ingest.profiles} />
      <${Card} label="Companies updated (24 h)" value=${data.ingest.companies} />
      <${Card} label="Events received (24 h)" value=${data.ingest.events} />
    </div>
    <${Chart} label="Last 24 hours" buckets=${data.hourly} format=${hour} />
    <${Chart} label="Last 7 days" buckets=${data.daily} format=${day} />
    <h2>Destinations</h2>
    <${Table}
      caption="Endpoints and integrations"
      rows=${data.destinations}
      rowKey=${(d) => d.id}
      empty="No endpoints or integrations yet."
      columns=${[
        ['Name', (d) => html`<a href=${d.kind === 'endpoint' ? link(`endpoints/${d.id}`) : link('integrations')}>${d.label}</a>`],
        ['Kind', (d) => d.kind],
        ['State', (d) => html`<${Badge} state=${d.state} />`],
        ['Last item', (d) => (d.last_item_at ? html`<${Badge} state=${d.last_item_state} /> ${ago(d.last_item_at)}` : 'none yet')],
        ['Last error', (d) => d.last_item_error ?? '—'],
      ]} />`;
}
