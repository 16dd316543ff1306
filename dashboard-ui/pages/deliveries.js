// Deliveries: filter by destination (endpoint or integration), topic, state and time range;
// each delivery opens to its request (headers and body) and every attempt (time, duration,
// status, response excerpt, error, who tried); retry one, and replay since a time to an
// endpoint or to Customer.io (admins).
import { html, link, params, useApi, api, when, ago, duration } from '../lib.js';
import { Badge, ErrorBox, Loading, Notice, Pager, Table } from '../components.js';
import { useAction } from './endpoints.js';

const STATES = ['pending', 'retrying', 'held', 'succeeded', 'failed', 'cancelled', 'skipped'];

/** The page title. */
export const title = (rest) => (rest ? 'Delivery' : 'Deliveries');

/** `retrying` for a pending delivery that has already failed at least once. */
export function shownState(d) {
  return d.state === 'pending' && d.attempts_count > 0 && d.last_error ? 'retrying' : d.state;
}

/** A `datetime-local` value from an ISO date in the URL. */
function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function Filters({ destinations, topics, current }) {
  return html`
    <form method="get" action="deliveries" class="fields" aria-label="Filter deliveries">
      ${params.get('account') ? html`<input type="hidden" name="account" value=${params.get('account')} />` : null}
      <div class="field"><label for="f-destination">Destination</label>
        <select id="f-destination" name="destination">
          <option value="">all</option>
          ${destinations.map((d) => html`<option value=${d.id} selected=${current.destination === d.id}>${d.label}</option>`)}
        </select></div>
      <div class="field"><label for="f-topic">Topic</label>
        <select id="f-topic" name="topic"><option value="">all</option>${topics.map((t) => html`<option value=${t} selected=${current.topic === t}>${t}</option>`)}</select></div>
      <div class="field"><label for="f-state">State</label>
        <select id="f-state" name="state"><option value="">all</option>${STATES.map((s) => html`<option value=${s} selected=${current.state === s}>${s}</option>`)}</select></div>
      <div class="field"><label for="f-from">From</label><input id="f-from" type="datetime-local" name="from" value=${localInput(current.from)} /></div>
      <div class="field"><label for="f-to">To</label><input id="f-to" type="datetime-local" name="to" value=${localInput(current.to)} /></div>
      <button type="submit">Filter</button>
      <a href=${link('deliveries')}>Clear</a>
    </form>`;
}

/** Replays to a destination: an endpoint through `replay`, Customer.io through its own route (the edit API's service). */
function replayTo(destination, since) {
  return destination.kind === 'integration'
    ? api.post('integrations/customerio/replay', { since })
    : api.post('replay', { endpoint: destination.id, since });
}

/**
 * "Replay failed deliveries since…" for admins: to `destination`, or to the one chosen among
 * `destinations` (the filter's, if any, first).
 */
export function ReplayForm({ destination, destinations, chosen }) {
  const { busy, notice, run } = useAction();
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const since = new Date(String(form.get('since'))).toISOString();
    const target = destination ?? destinations.find((d) => d.id === form.get('destination'));
    if (!target) return;
    run(() => replayTo(target, since), (r) => `Replaying ${r.replay.deliveries} deliveries to ${target.label}.`);
  };
  return html`
    <form class="inline" onSubmit=${submit} aria-label="Replay failed deliveries">
      ${destination
        ? null
        : html`<div class="field"><label for="replay-destination">Replay to</label>
          <select id="replay-destination" name="destination" required>
            ${destinations.map((d) => html`<option value=${d.id} selected=${chosen === d.id}>${d.label}</option>`)}
          </select></div>`}
      <div class="field"><label for="replay-since">Replay failed deliveries since</label><input id="replay-since" name="since" type="datetime-local" required /></div>
      <button type="submit" disabled=${busy}>Replay</button>
    </form>
    <${Notice} notice=${notice} />`;
}

function List({ session }) {
  const current = Object.fromEntries(['destination', 'topic', 'state', 'from', 'to', 'before', 'webhook'].map((k) => [k, params.get(k) ?? undefined]));
  const query = { ...current };
  for (const k of ['from', 'to']) if (query[k]) query[k] = new Date(query[k]).toISOString();
  const { data, error, loading } = useApi('deliveries', query, location.search);
  const destinations = useApi('destinations');
  if (error) return html`<${ErrorBox} error=${error} />`;
  if ((loading && !data) || !destinations.data) return html`<${Loading} />`;
  const names = new Map(destinations.data.destinations.map((d) => [d.id, d.label]));
  const keep = { ...current, before: undefined };
  return html`
    <${Filters} destinations=${destinations.data.destinations} topics=${destinations.data.topics} current=${current} />
    <${Table}
      caption="Deliveries, newest first"
      rows=${data.deliveries}
      rowKey=${(d) => d.id}
      empty="No deliveries match."
      columns=${[
        ['Created', (d) => html`<a href=${link(`deliveries/${d.id}`)}>${when(d.created_at)}</a>`],
        ['Topic', (d) => html`<code>${d.kind}</code>`],
        ['Destination', (d) => names.get(d.destination_id) ?? d.destination_id],
        ['State', (d) => html`<${Badge} state=${shownState(d)} />`],
        ['Attempts', (d) => `${d.attempts_count} / ${d.max_attempts}`],
        ['Last status', (d) => d.last_status ?? (d.last_error ? 'error' : '—')],
        ['Next attempt', (d) => (d.next_attempt_at ? when(d.next_attempt_at) : '—')],
      ]} />
    <${Pager} path="deliveries" next=${data.next} keep=${keep} />
    ${session.role === 'admin' && destinations.data.destinations.length > 0
      ? html`<details class="panel"><summary>Replay deliveries since a time</summary><${ReplayForm} destinations=${destinations.data.destinations} chosen=${current.destination} /></details>`
      : null}`;
}

function Detail({ session, id }) {
  const { data, error, loading, reload } = useApi(`deliveries/${encodeURIComponent(id)}`, undefined, id);
  const { busy, notice, run } = useAction();
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading && !data) return html`<${Loading} />`;
  const d = data.delivery;
  const retry = () => run(() => api.post(`deliveries/${encodeURIComponent(id)}/retry`), (r) => `Retried: ${shownState(r.delivery)}.`).then(reload);
  return html`
    <p><a href=${link('deliveries')}>← All deliveries</a></p>
    <dl class="facts">
      <dt>State</dt><dd><${Badge} state=${shownState(d)} /></dd>
      <dt>Topic</dt><dd><code>${d.kind}</code></dd>
      <dt>Destination</dt><dd>${data.destination ? html`<a href=${data.destination.kind === 'endpoint' ? link(`endpoints/${data.destination.id}`) : link('integrations')}>${data.destination.label}</a>` : d.destination_id}</dd>
      <dt>Attempts</dt><dd>${d.attempts_count} of ${d.max_attempts}</dd>
      <dt>Next attempt</dt><dd>${d.next_attempt_at ? `${when(d.next_attempt_at)} (${ago(d.next_attempt_at)})` : '—'}</dd>
      <dt>Delivery id</dt><dd><code>${d.id}</code></dd>
      <dt>Webhook id</dt><dd><code>${d.webhook_id}</code></dd>
    </dl>
    <${Notice} notice=${notice} />
    ${session.role === 'admin' ? html`<div class="actions"><button type="button" onClick=${retry} disabled=${busy}>Retry now</button></div>` : null}
    <h2>Request</h2>
    ${data.request
      ? html`
        <${Table} caption="Request headers" rows=${Object.entries(data.request.headers)} rowKey=${([k]) => k} columns=${[['Header', ([k]) => k], ['Value', ([, v]) => html`<code>${v}</code>`]]} />
        <h3>Body</h3>
        <pre aria-label="Request body">${data.request.body}</pre>`
      : html`<p class="empty">The published webhook is no longer stored (retention).</p>`}
    <h2>Attempts</h2>
    <${Table}
      caption="Attempts, oldest first"
      rows=${d.attempts}
      empty="No attempt yet."
      columns=${[
        ['Time', (a) => when(a.at)],
        ['Duration', (a) => duration(a.duration_ms)],
        ['Status', (a) => a.status ?? '—'],
        ['Trigger', (a) => a.trigger],
        ['Error', (a) => a.error ?? '—'],
        ['Response', (a) => (a.response_body ? html`<pre class="response">${a.response_body}</pre>` : '—')],
        ['By', (a) => html`<code>${a.by}</code>`],
      ]} />`;
}

/** The page. */
export function Page({ session, rest }) {
  return rest ? html`<${Detail} session=${session} id=${rest} />` : html`<${List} session=${session} />`;
}
