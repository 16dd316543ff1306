// Endpoints: the list with health (success rate, p50/p95 latency, last item state and error),
// create, and per endpoint: edit, delete, ping, enable, replay; the account's signing secret
// (reveal on click, rotate with a grace period). Actions are for admins.
import { html, link, useApi, useState, api, ago, duration, percent } from '../lib.js';
import { Badge, ErrorBox, Loading, Notice, Table } from '../components.js';

/** The page title. */
export const title = (rest) => (rest ? 'Endpoint' : 'Endpoints');

/** Runs an action, with its busy state and a notice for the result. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState(null);
  const run = async (fn, ok) => {
    setBusy(true);
    setNotice(null);
    try {
      const result = await fn();
      const text = typeof ok === 'function' ? ok(result) : ok;
      if (text) setNotice({ kind: 'ok', text });
      return result;
    } catch (e) {
      setNotice({ kind: 'bad', text: e.message });
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, notice, run, setNotice };
}

function Health({ health }) {
  if (!health) return '—';
  return html`<${Badge} state=${health.status} /> ${percent(health.success_rate)} · p50 ${duration(health.latency_ms.p50)} · p95 ${duration(health.latency_ms.p95)}`;
}

function LastItem({ e }) {
  if (!e.last_item_at) return 'none yet';
  return html`<${Badge} state=${e.last_item_state} /> ${ago(e.last_item_at)}${e.last_item_error ? html`<div class="hint">${e.last_item_error}</div>` : null}`;
}

/** The endpoint form's fields (create and edit). */
function EndpointFields({ prefix, value, topics }) {
  const chosen = new Set(value.topics ?? []);
  return html`
    <div class="fields">
      <div class="field"><label for=${`${prefix}-url`}>URL</label><input id=${`${prefix}-url`} name="url" type="url" required size="40" value=${value.url ?? ''} /></div>
      <div class="field"><label for=${`${prefix}-name`}>Name</label><input id=${`${prefix}-name`} name="name" value=${value.name ?? ''} /></div>
      <div class="field"><label for=${`${prefix}-exp`}>Experience ids (comma-separated, empty for all)</label><input id=${`${prefix}-exp`} name="experience_ids" size="30" value=${(value.experience_ids ?? []).join(', ')} /></div>
      <div class="field"><label for=${`${prefix}-ordering`}>Ordering</label><select id=${`${prefix}-ordering`} name="ordering">
        <option value="none" selected=${(value.ordering ?? 'none') === 'none'}>none</option>
        <option value="profile" selected=${value.ordering === 'profile'}>per profile (in publish order)</option>
      </select></div>
    </div>
    <fieldset class="topics">
      <legend>Topics (none chosen: all)</legend>
      ${topics.map((t) => html`<label class="topic"><input type="checkbox" name="topics" value=${t} checked=${chosen.has(t)} /> ${t}</label>`)}
    </fieldset>`;
}

/** Reads the endpoint form into the API's body. */
function endpointBody(form, allTopics) {
  const data = new FormData(form);
  const topics = data.getAll('topics').map(String);
  const experience = String(data.get('experience_ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return { url: String(data.get('url') ?? ''), name: String(data.get('name') ?? ''), topics: topics.length ? topics : allTopics, experience_ids: experience, ordering: String(data.get('ordering') ?? 'none') };
}

function CreateEndpoint({ topics, onCreated }) {
  const { busy, notice, run } = useAction();
  const submit = async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const result = await run(() => api.post('endpoints', endpointBody(form, topics)), (r) => `Created ${r.endpoint.name}; a ping was sent.`);
    if (result) {
      form.reset();
      onCreated(result.endpoint);
    }
  };
  return html`
    <details class="panel">
      <summary>Add an endpoint</summary>
      <form onSubmit=${submit} aria-label="Add an endpoint">
        <${EndpointFields} prefix="new" value=${{}} topics=${topics} />
        <button type="submit" disabled=${busy}>Create endpoint</button>
      </form>
      <${Notice} notice=${notice} />
    </details>`;
}

/** The account's signing secret: reveal (admin, on click) and rotate with a grace period. */
function SigningSecret({ session }) {
  const [secret, setSecret] = useState(null);
  const { busy, notice, run } = useAction();
  const admin = session.role === 'admin';
  const reveal = () => run(() => api.post('secret/reveal'), null).then((r) => r && setSecret(r));
  const rotate = async (event) => {
    event.preventDefault();
    const grace = Number(new FormData(event.currentTarget).get('grace_hours'));
    const r = await run(() => api.post('secret/rotate', { grace_hours: grace }), `Rotated: the old secret keeps signing for ${grace} h; add the new one to your receivers.`);
    if (r) setSecret(r);
  };
  return html`
    <section aria-labelledby="secret-h">
      <h2 id="secret-h">Signing secret</h2>
      <p class="hint">Every delivery of this account is signed with it (<code>X-Chameleon-Signature</code>).</p>
      ${secret
        ? html`<dl class="facts"><dt>Secret</dt><dd><code data-testid="secret">${secret.secret}</code></dd><dt>Standard Webhooks form</dt><dd><code data-testid="standard-secret">${secret.standard_webhooks_secret}</code> (for endpoints signed <code>standard</code> or <code>both</code>)</dd>${secret.previous.map((p) => html`<dt>Previous</dt><dd><code>${p.secret}</code> (<code>${p.standard_webhooks_secret}</code>) signs until ${new Date(p.until).toLocaleString()}</dd>`)}</dl>`
        : null}
      ${admin
        ? html`<div class="actions">
            <button type="button" class="secondary" onClick=${reveal} disabled=${busy}>${secret ? 'Reveal again' : 'Reveal secret'}</button>
            <form class="inline" onSubmit=${rotate} aria-label="Rotate the secret">
              <div class="field"><label for="grace">Grace period</label>
                <select id="grace" name="grace_hours"><option value="0">none (leaked)</option><option value="1">1 hour</option><option value="24" selected>24 hours</option><option value="168">7 days</option></select></div>
              <button type="submit" disabled=${busy}>Rotate secret</button>
            </form>
          </div>`
        : html`<p class="hint">Only admins can reveal or rotate it.</p>`}
      <${Notice} notice=${notice} />
    </section>`;
}

function List({ session }) {
  const { data, error, loading, reload } = useApi('endpoints');
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading && !data) return html`<${Loading} />`;
  return html`
    <${Table}
      caption="Endpoints"
      rows=${data.endpoints}
      rowKey=${(e) => e.id}
      empty="No endpoints yet."
      columns=${[
        ['Name', (e) => html`<a href=${link(`endpoints/${e.id}`)}>${e.name || e.url}</a>`],
        ['URL', (e) => html`<code>${e.url}</code>`],
        ['State', (e) => html`<${Badge} state=${e.state} />`],
        ['Health (24 h)', (e) => html`<${Health} health=${e.health} />`],
        ['Last item', (e) => html`<${LastItem} e=${e} />`],
        ['Topics', (e) => (e.topics.length === data.topics.length ? 'all' : e.topics.length)],
      ]} />
    ${session.role === 'admin' ? html`<${CreateEndpoint} topics=${data.topics} onCreated=${reload} />` : null}
    <${SigningSecret} session=${session} />`;
}

function Detail({ session, id }) {
  const { data, error, loading, reload } = useApi(`endpoints/${encodeURIComponent(id)}`, undefined, id);
  const { busy, notice, run } = useAction();
  const [confirmDelete, setConfirmDelete] = useState(false);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading && !data) return html`<${Loading} />`;
  const e = data.endpoint;
  const admin = session.role === 'admin';
  const path = `endpoints/${encodeURIComponent(id)}`;
  const ping = () => run(() => api.post(`${path}/ping`), (r) => `Ping: ${r.ping.state}${r.ping.status ? ` (HTTP ${r.ping.status})` : ''}${r.ping.error ? ` — ${r.ping.error}` : ''}`).then(reload);
  const enable = () => run(() => api.post(`${path}/enable`), 'Enabled.').then(reload);
  const remove = async () => {
    if (!confirmDelete) return setConfirmDelete(true);
    const r = await run(() => api.del(path), 'Deleted.');
    if (r) location.assign(link('endpoints'));
  };
  const save = (event) => {
    event.preventDefault();
    run(() => api.patch(path, endpointBody(event.currentTarget, data.topics)), 'Saved.').then(reload);
  };
  const replay = (event) => {
    event.preventDefault();
    const since = new Date(String(new FormData(event.currentTarget).get('since'))).toISOString();
    run(() => api.post('replay', { endpoint: id, since }), (r) => `Replaying ${r.replay.deliveries} deliveries.`);
  };
  return html`
    <p><a href=${link('endpoints')}>← All endpoints</a></p>
    <h2>${e.name || e.url}</h2>
    <dl class="facts">
      <dt>URL</dt><dd><code>${e.url}</code></dd>
      <dt>State</dt><dd><${Badge} state=${e.state} />${e.disabled_reason ? html` ${e.disabled_reason}` : null}</dd>
      <dt>Health (24 h)</dt><dd><${Health} health=${e.health} /></dd>
      <dt>Last item</dt><dd><${LastItem} e=${e} /></dd>
      <dt>Topics</dt><dd>${e.topics.join(', ')}</dd>
      <dt>Experiences</dt><dd>${e.experience_ids.length ? e.experience_ids.join(', ') : 'all'}</dd>
      <dt>Ordering</dt><dd>${e.ordering === 'profile' ? 'per profile, in publish order' : 'none'}</dd>
      <dt>Deliveries</dt><dd><a href=${link('deliveries', { destination: e.id })}>See deliveries</a></dd>
    </dl>
    <${Notice} notice=${notice} />
    ${admin
      ? html`
        <div class="actions">
          <button type="button" onClick=${ping} disabled=${busy}>Send a ping</button>
          ${e.state === 'disabled' ? html`<button type="button" onClick=${enable} disabled=${busy}>Enable</button>` : null}
          <button type="button" class="danger" onClick=${remove} disabled=${busy}>${confirmDelete ? 'Really delete?' : 'Delete'}</button>
        </div>
        <form class="inline" onSubmit=${replay} aria-label="Replay failed deliveries">
          <div class="field"><label for="since">Replay failed deliveries since</label><input id="since" name="since" type="datetime-local" required /></div>
          <button type="submit" disabled=${busy}>Replay</button>
        </form>
        <details class="panel">
          <summary>Edit</summary>
          <form onSubmit=${save} aria-label="Edit the endpoint">
            <${EndpointFields} prefix="edit" value=${e} topics=${data.topics} />
            <button type="submit" disabled=${busy}>Save</button>
          </form>
        </details>`
      : html`<p class="hint">Viewers cannot change endpoints.</p>`}`;
}

/** The page. */
export function Page({ session, rest }) {
  return rest ? html`<${Detail} session=${session} id=${rest} />` : html`<${List} session=${session} />`;
}
