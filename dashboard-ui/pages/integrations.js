// Integrations: the Customer.io connection — its state and last error, masked keys, the
// step-seen and previews toggles and replay since a time (admins), and the reporting-webhook URL
// to paste into Customer.io.
import { html, link, useApi, useState, api, when } from '../lib.js';
import { Badge, ErrorBox, Loading, Notice } from '../components.js';
import { ReplayForm } from './deliveries.js';

/** The page title. */
export const title = () => 'Integrations';

function Toggle({ name, label, hint, value, canAct, onChange }) {
  const id = `toggle-${name}`;
  return html`
    <div class="toggle">
      <input type="checkbox" id=${id} checked=${value} disabled=${!canAct} onChange=${(e) => onChange(name, e.currentTarget.checked)} aria-describedby=${`${id}-hint`} />
      <label for=${id}>${label}</label>
      <p class="hint" id=${`${id}-hint`}>${hint}</p>
    </div>`;
}

function Customerio({ session }) {
  const { data, error, loading, reload } = useApi('integrations/customerio');
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const [local, setLocal] = useState({}); // a toggle shows its new state at once; the server's answer confirms it
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (loading && !data) return html`<${Loading} />`;
  const canAct = session.role === 'admin' && !busy;
  const change = async (name, value) => {
    setBusy(true);
    setLocal((l) => ({ ...l, [name]: value }));
    try {
      await api.patch('integrations/customerio', { [name]: value });
      setNotice({ kind: 'ok', text: `Saved: ${name.replace('_', ' ')} ${value ? 'on' : 'off'}.` });
      reload();
    } catch (e) {
      setLocal((l) => ({ ...l, [name]: !value }));
      setNotice({ kind: 'bad', text: e.message });
    } finally {
      setBusy(false);
    }
  };
  const reporting = html`
    <h3>Reporting webhooks (Customer.io → here)</h3>
    <p>In Customer.io, add a reporting webhook with this URL (your account secret in place of the placeholder):</p>
    <pre>${data.reporting_webhook_url}</pre>`;
  if (!data.connected) {
    return html`
      <p><${Badge} state="not connected" /> Customer.io is not connected for this account.</p>
      <p class="hint">Connect it with <code>PUT /v3/edit/integrations/customerio</code> or <code>hooks.integrations.customerio.set()</code>.</p>
      ${reporting}`;
  }
  const i = data.integration;
  const state = i.last_item_state === 'error' ? 'error' : i.last_item_state === 'valid' ? 'connected' : 'connected';
  return html`
    <p><${Badge} state=${state} /> Customer.io, last item ${when(i.last_item_at)}</p>
    ${i.last_item_error ? html`<div class="error" role="alert"><p>Last error: ${i.last_item_error}</p></div>` : null}
    <${Notice} notice=${notice} />
    <dl class="facts">
      <dt>Site ID</dt><dd><code>${i.site_id}</code></dd>
      <dt>API key</dt><dd><code>${i.api_key}</code> ${i.secrets_encrypted ? '(encrypted at rest)' : '(stored in clear: set secretsKey to encrypt)'}</dd>
      <dt>Region</dt><dd>${i.region}${i.track_url ? html` · Track URL <code>${i.track_url}</code>` : null}</dd>
      <dt>Identifier</dt><dd>${i.identifier}</dd>
      <dt>Reporting signing key</dt><dd>${i.webhook_signing_key ? html`<code>${i.webhook_signing_key}</code>` : 'none (reporting webhooks are not verified)'}</dd>
      <dt>Rate limit</dt><dd>${i.rate_limit} requests/s</dd>
      <dt>More topics</dt><dd>${Object.keys(i.events).length === 0 ? 'none' : Object.entries(i.events).map(([t, n]) => html`<div><code>${t}</code> → ${n}</div>`)}</dd>
    </dl>
    <fieldset class="toggles">
      <legend>What is sent</legend>
      <${Toggle} name="step_seen" label="Step Seen events" hint="One event per tour step seen: useful, but many." value=${local.step_seen ?? i.step_seen} canAct=${canAct} onChange=${change} />
      <${Toggle} name="previews" label="Previewed Tour events" hint="Sent when an admin previews a tour." value=${local.previews ?? i.previews} canAct=${canAct} onChange=${change} />
      ${session.role !== 'admin' ? html`<p class="hint">Viewers cannot change settings.</p>` : null}
    </fieldset>
    <p><a href=${link('deliveries', { destination: i.id })}>Deliveries to Customer.io</a></p>
    ${session.role === 'admin' ? html`<${ReplayForm} destination=${{ id: i.id, kind: 'integration', label: 'Customer.io' }} />` : null}
    ${reporting}`;
}

/** The page. */
export function Page({ session }) {
  return html`<h2>Customer.io</h2><${Customerio} session=${session} />`;
}
