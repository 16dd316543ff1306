// Data management: properties (types seen, sample values), data warnings (truncated, dropped,
// reserved, nested too deep) with counts and examples, and the event-name catalogue.
import { html, params, useApi, when, excerpt } from '../lib.js';
import { ErrorBox, Loading, Pager, Table, Tabs } from '../components.js';

const KINDS = [['profile', 'Profiles'], ['company', 'Companies'], ['event', 'Events']];
const VIEWS = [['properties', 'Properties'], ['warnings', 'Data warnings'], ['event-names', 'Event names']];

/** The page title. */
export const title = () => 'Data management';

function Properties({ kind }) {
  const after = params.get('after') ?? undefined;
  const { data, error, loading } = useApi('properties', { kind, after }, `${kind}|${after}`);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading && !data) return html`<${Loading} />`;
  return html`
    <${Table}
      caption=${`${kind} properties`}
      rows=${data.properties}
      rowKey=${(p) => p.prop}
      empty="No properties seen yet."
      columns=${[
        ['Property', (p) => html`<code>${p.prop}</code>`],
        ['Types', (p) => p.types.join(', ')],
        ['Sample values', (p) => html`<ul class="samples">${p.values.slice(0, 5).map((v) => html`<li><code>${excerpt(v, 80)}</code></li>`)}</ul>`],
        ['Seen', (p) => p.count],
        ['Last seen', (p) => when(p.last_seen_at)],
      ]} />
    <${Pager} path="data" next=${data.next} cursorParam="after" keep=${{ view: 'properties', kind }} />`;
}

function Warnings({ kind }) {
  const after = params.get('after') ?? undefined;
  const { data, error, loading } = useApi('warnings', { kind, after }, `${kind}|${after}`);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading && !data) return html`<${Loading} />`;
  return html`
    <p class="hint">A warning means a value was changed or left out on the way in; the request itself succeeded.</p>
    <${Table}
      caption=${`${kind} data warnings`}
      rows=${data.warnings}
      rowKey=${(w) => `${w.prop}|${w.reason}`}
      empty="No data warnings: everything was stored as sent."
      columns=${[
        ['Property', (w) => html`<code>${w.prop}</code>`],
        ['Reason', (w) => w.reason],
        ['Count', (w) => w.count],
        ['Example', (w) => html`<code>${excerpt(w.example, 120)}</code>`],
        ['Last seen', (w) => when(w.last_seen_at)],
      ]} />
    <${Pager} path="data" next=${data.next} cursorParam="after" keep=${{ view: 'warnings', kind }} />`;
}

function EventNames() {
  const after = params.get('after') ?? undefined;
  const { data, error, loading } = useApi('event-names', { after }, String(after));
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading && !data) return html`<${Loading} />`;
  return html`
    <${Table}
      caption="Event names"
      rows=${data.event_names}
      rowKey=${(e) => e.uid}
      empty="No events received yet."
      columns=${[
        ['Name', (e) => e.name],
        ['Normalised', (e) => html`<code>${e.uid}</code>`],
        ['Count', (e) => e.count],
        ['First seen', (e) => when(e.first_seen_at)],
        ['Last seen', (e) => when(e.last_seen_at)],
      ]} />
    <${Pager} path="data" next=${data.next} cursorParam="after" keep=${{ view: 'event-names' }} />`;
}

/** The page. */
export function Page() {
  const view = VIEWS.some(([v]) => v === params.get('view')) ? params.get('view') : 'properties';
  const kind = KINDS.some(([k]) => k === params.get('kind')) ? params.get('kind') : 'profile';
  return html`
    <${Tabs} label="What to show" path="data" param="view" value=${view} tabs=${VIEWS} />
    ${view !== 'event-names' ? html`<${Tabs} label="Kind" path="data" param="kind" value=${kind} tabs=${KINDS} keep=${{ view }} />` : null}
    ${view === 'properties' ? html`<${Properties} kind=${kind} />` : view === 'warnings' ? html`<${Warnings} kind=${kind} />` : html`<${EventNames} />`}`;
}
