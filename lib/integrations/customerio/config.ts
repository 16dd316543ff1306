/**
 * A Customer.io integration's settings: the accepted input (`PUT /v3/edit/integrations/customerio`,
 * `hooks.integrations.customerio.set`), its validation into clean settings (a `422` naming the
 * field), the region hosts, and the default topic → event-name map.
 */
import { ChameleonError, ForbiddenUrlError } from '../../errors.js';
import { checkEndpointUrl, type EndpointUrlPolicy } from '../../delivery/transport/ssrf-guard.js';
import { isTopic } from '../../topics/index.js';

/** The Track API host of each Customer.io region. */
export const REGION_URLS = Object.freeze({ us: 'https://track.customer.io', eu: 'https://track-eu.customer.io' });

/** A Customer.io data region. */
export type Region = keyof typeof REGION_URLS;

/** Which profile field identifies a person in Customer.io. */
export type Identifier = 'uid' | 'email';

/** Event names sent without any `events` mapping. */
export const DEFAULT_EVENT_NAMES: Readonly<Record<string, string>> = Object.freeze({
  'tour.started': 'Started Tour (Chameleon)',
  'tour.completed': 'Completed Tour (Chameleon)',
  'tour.exited': 'Exited Tour (Chameleon)',
});

/** The event of the `tour.step.seen` activity, sent only with `step_seen: true`. */
export const STEP_SEEN_EVENT = 'Step Seen (Chameleon)';
/** The event of the `tour.previewed` activity, sent only with `previews: true`. */
export const PREVIEWED_EVENT = 'Previewed Tour (Chameleon)';

/** Customer.io's documented limits (Track API). */
export const TRACK_LIMITS = Object.freeze({ nameBytes: 100, dataBytes: 100_000, idBytes: 150 });

/** Requests per second to one integration, unless its `rate_limit` says otherwise. */
export const DEFAULT_RATE_LIMIT = 100;
/** The highest `rate_limit` accepted (Customer.io documents 100 req/s fair use and 1000 req/s "not strictly enforced"). */
export const MAX_RATE_LIMIT = 10_000;

/** What setting an integration takes (every field of the API body). */
export interface CustomerioInput {
  /** The workspace's Site ID. */
  site_id?: unknown;
  /** The workspace's Track API key; may be left out to keep the stored one. */
  api_key?: unknown;
  /** `us` or `eu`. @defaultValue 'us' */
  region?: unknown;
  /** A Track API base URL that overrides the region's (checked by the endpoint URL policy). */
  track_url?: unknown;
  /** Send `Step Seen (Chameleon)` for `tour.step.seen`. @defaultValue false */
  step_seen?: unknown;
  /** Send `Previewed Tour (Chameleon)` for `tour.previewed`. @defaultValue false */
  previews?: unknown;
  /** More topics to forward, each to an event name: `{ "survey.completed": "Completed Survey" }`. */
  events?: unknown;
  /** Which profile field identifies the person: `uid` or `email`. @defaultValue 'uid' */
  identifier?: unknown;
  /** The signing key of Customer.io's reporting webhooks; `null` removes it, leaving it out keeps it. */
  webhook_signing_key?: unknown;
  /** Requests per second to Customer.io from this process (1–1000). @defaultValue 100 */
  rate_limit?: unknown;
}

/** Validated settings; `api_key`/`webhook_signing_key` are `undefined` when left out (keep the stored one). */
export interface CustomerioSettings {
  site_id: string;
  api_key: string | undefined;
  region: Region;
  track_url: string | null;
  step_seen: boolean;
  previews: boolean;
  events: Record<string, string>;
  identifier: Identifier;
  webhook_signing_key: string | null | undefined;
  rate_limit: number;
}

const FIELDS: ReadonlySet<string> = new Set([
  'site_id', 'api_key', 'region', 'track_url', 'step_seen', 'previews', 'events', 'identifier', 'webhook_signing_key', 'rate_limit',
  'account_secret', // the authentication parameter may travel in the body
]);

/** Whether a string has a control character (C0 or DEL), which no header or name may carry. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function invalid(field: string, message: string): ChameleonError {
  return new ChameleonError('CH_ERR_UNPROCESSABLE', `\`${field}\` ${message}`, { field });
}

/** A one-line printable string of 1–`max` characters (no control characters). */
function token(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || hasControl(value)) {
    throw invalid(field, `must be a non-empty string of up to ${max} printable characters`);
  }
  return value;
}

function flag(field: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}

function parseEvents(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('events', 'must be an object of topic → event name');
  const out: Record<string, string> = {};
  for (const [topic, name] of Object.entries(value as Record<string, unknown>)) {
    if (!isTopic(topic) || topic === 'ping') throw invalid(`events.${topic.slice(0, 64)}`, 'is not a topic that can be forwarded');
    if (typeof name !== 'string' || name.trim().length === 0 || Buffer.byteLength(name, 'utf8') > TRACK_LIMITS.nameBytes || hasControl(name)) {
      throw invalid(`events.${topic}`, `must be an event name of 1–${TRACK_LIMITS.nameBytes} bytes`);
    }
    out[topic] = name;
  }
  return out;
}

/** `track_url` checked by the endpoint URL policy, without a trailing slash, query or fragment. */
function parseTrackUrl(value: unknown, policy: EndpointUrlPolicy): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid('track_url', 'must be a URL string or null');
  let url: URL;
  try {
    url = checkEndpointUrl(value, policy);
  } catch (error) {
    if (error instanceof ForbiddenUrlError) {
      throw new ChameleonError('CH_ERR_FORBIDDEN_URL', `\`track_url\`: ${error.message.replace(/^The endpoint URL/, 'the URL')}`, { field: 'track_url' });
    }
    throw error;
  }
  if (url.search !== '' || url.hash !== '') throw invalid('track_url', 'must be a base URL without a query or fragment');
  return url.href.replace(/\/+$/, '');
}

/**
 * Validates an integration body into settings.
 * @throws ChameleonError `422` whose message and `details.field` name the first bad field.
 * @example
 * parseCustomerioInput({ site_id: 'abc', api_key: 'key', region: 'eu' }, policy).region // 'eu'
 */
export function parseCustomerioInput(input: unknown, policy: EndpointUrlPolicy): CustomerioSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ChameleonError('CH_ERR_UNPROCESSABLE', 'The body must be a JSON object: {site_id, api_key, region, …}');
  }
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) throw invalid(unknown.slice(0, 64), 'is not a setting of the Customer.io integration');
  // A Basic-auth user name cannot contain ':'; Site IDs are short letters and digits.
  if (typeof body.site_id !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(body.site_id)) {
    throw invalid('site_id', 'is required: the Site ID of the workspace (letters, digits, `.`, `_` or `-`)');
  }
  const region = body.region ?? 'us';
  if (region !== 'us' && region !== 'eu') throw invalid('region', 'must be "us" or "eu"');
  const identifier = body.identifier ?? 'uid';
  if (identifier !== 'uid' && identifier !== 'email') throw invalid('identifier', 'must be "uid" or "email"');
  const rate = body.rate_limit ?? DEFAULT_RATE_LIMIT;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1 || rate > MAX_RATE_LIMIT) {
    throw invalid('rate_limit', `must be an integer from 1 to ${MAX_RATE_LIMIT} (requests per second)`);
  }
  return {
    site_id: body.site_id,
    api_key: body.api_key === undefined ? undefined : token('api_key', body.api_key, 256),
    region,
    track_url: parseTrackUrl(body.track_url, policy),
    step_seen: flag('step_seen', body.step_seen),
    previews: flag('previews', body.previews),
    events: parseEvents(body.events),
    identifier,
    webhook_signing_key: body.webhook_signing_key === undefined || body.webhook_signing_key === null ? (body.webhook_signing_key as null | undefined) : token('webhook_signing_key', body.webhook_signing_key, 256),
    rate_limit: rate,
  };
}

/** The Track API base URL of settings: `track_url`, else the region's host. */
export function trackBaseUrl(settings: { region: Region; track_url: string | null }): string {
  return settings.track_url ?? REGION_URLS[settings.region];
}
