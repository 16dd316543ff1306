/**
 * The ready-to-paste `curl` for each endpoint of the package (and the host's demo routes),
 * printed once the example is ready.
 */
import type { DemoIds } from './setup-demo.js';
import { DEMO_COMPANY_UID, DEMO_USER } from './setup-demo.js';

/** What the commands need. */
export interface CurlContext {
  hostUrl: string;
  /** The mounted package: `${hostUrl}/chameleon`. */
  baseUrl: string;
  receiverUrl: string;
  /** The local Track API stand-in connected as the account's Customer.io. */
  trackUrl?: string;
  secret: string;
  ids: DemoIds;
  /** A time for the replay example (not in the future, at most 30 days ago). */
  since: string;
}

interface Curl {
  title: string;
  command: string;
}

/** Single-quotes a shell word (the JSON here has no `'`). */
function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function curl(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, options: { secretHeader?: string; body?: unknown } = {}): string {
  const parts = [`curl -sS -X ${method} ${q(url)}`];
  if (options.secretHeader) parts.push(`-H ${q(`X-Account-Secret: ${options.secretHeader}`)}`);
  if (options.body !== undefined) parts.push(`-H 'Content-Type: application/json' -d ${q(JSON.stringify(options.body))}`);
  return parts.join(' \\\n    ');
}

/** The commands, grouped by section. */
export function curlSections(c: CurlContext): Array<[section: string, curls: Curl[]]> {
  const hooks = `${c.baseUrl}/v3/observe/hooks`;
  const inPath = `${hooks}/${c.secret}`;
  const auth = { secretHeader: c.secret };
  const endpoint = `${c.baseUrl}/v3/edit/webhooks/${c.ids.endpointId}`;
  const deliveryId = c.ids.deliveryId ?? '<delivery_id from the deliveries list>';
  return [
    ['Data in (account secret in the path)', [
      { title: 'one profile', command: curl('POST', `${inPath}/profiles`, { body: { uid: '1001', email: 'ann@example.com', plan: 'gold', userRole: 'admin', last_login_at: '2029-08-21 02:46:46' } }) },
      { title: 'a profile batch (the 2nd item has no identifier: 202 with one error)', command: curl('POST', `${inPath}/profiles/batch`, { body: { profiles: [{ uid: '1002', plan: 'gold' }, { plan: 'silver' }], on_model_missing: 'create' } }) },
      { title: 'one company', command: curl('POST', `${inPath}/companies`, { body: { uid: 'co-7', name: 'Globex', mrr: '1299.50' } }) },
      { title: 'a company batch', command: curl('POST', `${inPath}/companies/batch`, { body: { companies: [{ uid: 'co-8', plan: 'trial' }, { uid: 'co-9', plan: 'gold' }] } }) },
      { title: 'one event (the user is created if new)', command: curl('POST', `${inPath}/events`, { body: { uid: '1001', name: 'Imported Leads', count: '3' } }) },
    ]],
    ['Customer.io (data in; no header needed)', [
      {
        title: 'a reporting webhook as Customer.io sends it (stored once per event_id: sent again it answers "duplicate":true; the event "Email Opened (Customer.io)" appears on user 1001)',
        command: [
          `curl -sS -X POST ${q(`${inPath}/customerio`)}`,
          `-d ${q(JSON.stringify({ event_id: '01E4C4C6P79C12J5A6KPE6XNFK', object_type: 'email', metric: 'opened', timestamp: 1900000000, data: { identifiers: { id: '1001', email: 'ann@example.com', cio_id: 'a3000001' }, campaign_id: 7, action_id: 9, delivery_id: 'RAECAAFwnUSneIa0ZXkmSQ==', subject: 'Welcome to Acme' } }))}`,
        ].join(' \\\n    '),
      },
      {
        title: "a campaign webhook action (Customer.io's own id is ignored with a data warning; uid identifies the user)",
        command: [`curl -sS -X POST ${q(`${inPath}/profiles`)}`, `-d ${q(JSON.stringify({ id: 'cio_a3000001', uid: '1001', cio_last_campaign: 'Welcome' }))}`].join(' \\\n    '),
      },
    ]],
    ['Customer.io (data out, to the local Track API stand-in)', [
      { title: 'the integration (keys masked)', command: curl('GET', `${c.baseUrl}/v3/edit/integrations/customerio`, auth) },
      { title: 'publish tour.started: the stand-in logs an identify (first time) and "Started Tour (Chameleon)"', command: curl('POST', `${c.hostUrl}/demo/publish/tour.started`) },
      { title: "the integration's deliveries, newest first (limit, before, state)", command: curl('GET', `${c.baseUrl}/v3/edit/integrations/customerio/deliveries?limit=5`, auth) },
      { title: 'replay everything since a time (Customer.io drops events it already has, by id)', command: curl('POST', `${c.baseUrl}/v3/edit/integrations/customerio/replay`, { ...auth, body: { since: c.since } }) },
      { title: 'reconnect with previews on (the API key left out is kept)', command: curl('PUT', `${c.baseUrl}/v3/edit/integrations/customerio`, { ...auth, body: { site_id: 'demo_site', track_url: c.trackUrl ?? 'https://track.customer.io', step_seen: true, previews: true } }) },
    ]],
    ['Data in (secret in the X-Account-Secret header; same for the other four paths)', [
      { title: 'one profile', command: curl('POST', `${hooks}/profiles`, { ...auth, body: { uid: '1003', 'Feature Announcements!': 'true' } }) },
    ]],
    ['Reading back', [
      { title: 'a profile by id', command: curl('GET', `${c.baseUrl}/v3/analyze/profiles/${c.ids.profileId}`, auth) },
      { title: 'a profile by uid (or email=, id=)', command: curl('GET', `${c.baseUrl}/v3/analyze/profile?uid=${DEMO_USER.uid}`, auth) },
      { title: "a profile's events, newest first (limit, before)", command: curl('GET', `${c.baseUrl}/v3/analyze/profiles/${c.ids.profileId}/events?limit=10`, auth) },
      { title: 'a company by id', command: curl('GET', `${c.baseUrl}/v3/analyze/companies/${c.ids.companyId}`, auth) },
      { title: 'a company by uid', command: curl('GET', `${c.baseUrl}/v3/analyze/company?uid=${DEMO_COMPANY_UID}`, auth) },
      { title: 'the property catalogue with data warnings (kind=profile|company|event)', command: curl('GET', `${c.baseUrl}/v3/edit/properties?kind=profile`, auth) },
      { title: 'the event-name catalogue', command: curl('GET', `${c.baseUrl}/v3/edit/event_names`, auth) },
    ]],
    ['Data out: endpoints and deliveries', [
      { title: 'list endpoints (with health)', command: curl('GET', `${c.baseUrl}/v3/edit/webhooks`, auth) },
      { title: 'create an endpoint (a 2nd one on the receiver, two topics; it gets a ping)', command: curl('POST', `${c.baseUrl}/v3/edit/webhooks`, { ...auth, body: { url: c.receiverUrl, name: 'tours only', topics: 'tour.started,tour.completed' } }) },
      { title: 'one endpoint', command: curl('GET', endpoint, auth) },
      { title: "the receiver endpoint's deliveries, newest first (limit, before, state)", command: curl('GET', `${endpoint}/deliveries?limit=5`, auth) },
      { title: 'ping it (waits for the attempt)', command: curl('POST', `${endpoint}/ping`, auth) },
      { title: 'replay everything since a time (ISO-8601 or unix seconds, at most 30 days back)', command: curl('POST', `${endpoint}/replay`, { ...auth, body: { since: c.since } }) },
      { title: 'one delivery with its attempts', command: curl('GET', `${c.baseUrl}/v3/edit/deliveries/${deliveryId}`, auth) },
      { title: 'redeliver it now', command: curl('POST', `${c.baseUrl}/v3/edit/deliveries/${deliveryId}/retry`, auth) },
      { title: 'delete an endpoint (this one is the receiver: the demo stops delivering)', command: curl('DELETE', endpoint, auth) },
    ]],
    ['Host demo routes (hooks.publish with the seed fixtures)', [
      { title: 'publish one topic', command: curl('POST', `${c.hostUrl}/demo/publish/tour.started`) },
      { title: 'publish all 26 topics', command: curl('POST', `${c.hostUrl}/demo/publish-all`) },
      { title: 'what the receiver verified', command: curl('GET', `${c.hostUrl}/demo/received`) },
    ]],
  ];
}

/** The commands as text for the terminal. */
export function formatCurls(c: CurlContext): string {
  return curlSections(c)
    .map(([section, curls]) => [`## ${section}`, ...curls.map((x) => `# ${x.title}\n${x.command}`)].join('\n\n'))
    .join('\n\n');
}
