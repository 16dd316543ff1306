/**
 * What a Customer.io reporting webhook means for the account's data: `object_type: customer`
 * subscription metrics update profile properties (`cio_subscribed`,
 * `cio_subscription_changed_at`); message metrics become profile events named like
 * `Email Opened (Customer.io)`; anything else (an unknown object type or metric) becomes an
 * event too. Pure: the result is an ordinary profile or event body, which the ingest functions
 * then validate and normalise like any other.
 */

/** The body of a reporting webhook (only what the mapping reads; every field may be missing). */
export interface ReportingWebhook {
  event_id?: unknown;
  object_type?: unknown;
  metric?: unknown;
  timestamp?: unknown;
  data?: unknown;
}

/** A profile update or an event, as the ordinary data-in routes take them. */
export type ReportingAction =
  | { kind: 'profile'; item: Record<string, unknown> }
  | { kind: 'event'; item: Record<string, unknown> }
  | { kind: 'skip'; reason: string };

/** Labels of the documented object types in event names. */
const OBJECT_LABELS: Readonly<Record<string, string>> = Object.freeze({
  email: 'Email',
  sms: 'SMS',
  push: 'Push',
  in_app: 'In-App',
  slack: 'Slack',
  webhook: 'Webhook',
  whatsapp: 'WhatsApp',
  customer: 'Customer',
});

/** Customer metrics that change the subscription: the `cio_subscribed` they set (`undefined`: unchanged). */
const SUBSCRIPTION_METRICS: ReadonlyMap<string, boolean | undefined> = new Map<string, boolean | undefined>([
  ['subscribed', true],
  ['unsubscribed', false],
  ['cio_subscription_preferences_changed', undefined],
  ['subscription_preferences_changed', undefined],
  ['changed_subscription_preferences', undefined],
]);

/**
 * `data` keys not stored as event properties: those that identify the person (used for the
 * identity), and those the events route reads as its own fields (`name`, identifier aliases).
 */
const IDENTITY_KEYS: ReadonlySet<string> = new Set(['identifiers', 'customer_id', 'email_address', 'name', 'id', 'uid', 'email', 'profile_id', 'user_id', 'account_secret']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asText(value: unknown, max = 200): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, max);
  return undefined;
}

/** `opened` → `Opened`, `human_clicked` → `Human Clicked`. */
function titleCase(text: string): string {
  return text
    .split(/[_\s-]+/)
    .filter((word) => word !== '')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * The event name of a metric: `Email Opened (Customer.io)`; unknown object types and metrics
 * are title-cased the same way (`Fax Printed (Customer.io)`).
 *
 * @example
 * reportingEventName('email', 'opened')      // 'Email Opened (Customer.io)'
 * reportingEventName('in_app', 'clicked')    // 'In-App Clicked (Customer.io)'
 * reportingEventName(undefined, undefined)   // 'Unknown Event (Customer.io)'
 */
export function reportingEventName(objectType: string | undefined, metric: string | undefined): string {
  const object = objectType === undefined ? 'Unknown' : (OBJECT_LABELS[objectType] ?? (titleCase(objectType) || 'Unknown'));
  const what = metric === undefined ? 'Event' : titleCase(metric) || 'Event';
  return `${object} ${what} (Customer.io)`.slice(0, 200);
}

/** The person a webhook is about: `identifiers.id` (else `customer_id`) as uid, and the email. */
function identityOf(data: Record<string, unknown>): { uid?: string; email?: string } {
  const identifiers = isObject(data.identifiers) ? data.identifiers : {};
  const uid = asText(identifiers.id, 256) ?? asText(data.customer_id, 256);
  const emailText = asText(identifiers.email, 254) ?? asText(data.email_address, 254);
  const email = emailText !== undefined && /^[^\s@]+@[^\s@]+$/.test(emailText) ? emailText : undefined;
  return { ...(uid === undefined ? {} : { uid }), ...(email === undefined ? {} : { email }) };
}

/** The webhook's time (unix seconds) as a Date, or `undefined`. */
function timeOf(timestamp: unknown): Date | undefined {
  const seconds = typeof timestamp === 'string' && /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : timestamp;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Maps one reporting webhook to a profile update or an event for its person. A webhook that
 * names no person (no `identifiers.id`, `customer_id` or email) is skipped, with the reason.
 *
 * @example
 * mapReportingWebhook({ object_type: 'customer', metric: 'unsubscribed', timestamp: 1700000000, data: { identifiers: { id: '42' } } })
 * // { kind: 'profile', item: { uid: '42', cio_subscribed: false, cio_subscription_changed_at: Date(2023-11-14T22:13:20Z) } }
 * mapReportingWebhook({ event_id: '01H', object_type: 'email', metric: 'opened', data: { identifiers: { id: '42' }, campaign_id: 7, subject: 'Hi' } })
 * // { kind: 'event', item: { uid: '42', name: 'Email Opened (Customer.io)', campaign_id: 7, subject: 'Hi', cio_event_id: '01H', … } }
 */
export function mapReportingWebhook(body: ReportingWebhook): ReportingAction {
  const data = isObject(body.data) ? body.data : {};
  const person = identityOf(data);
  if (person.uid === undefined && person.email === undefined) {
    return { kind: 'skip', reason: 'The webhook names no person (no identifiers.id, customer_id or email)' };
  }
  const objectType = asText(body.object_type, 64);
  const metric = asText(body.metric, 64);
  const at = timeOf(body.timestamp);
  if (objectType === 'customer' && metric !== undefined && SUBSCRIPTION_METRICS.has(metric)) {
    const subscribed = SUBSCRIPTION_METRICS.get(metric);
    const item: Record<string, unknown> = { ...person, cio_subscription_changed_at: at ?? '$now' };
    if (subscribed !== undefined) item.cio_subscribed = subscribed;
    return { kind: 'profile', item };
  }
  // Built from entries: Object.fromEntries defines each key as an own property (a `__proto__` key
  // stays data, never a prototype), a later entry overriding an earlier one, without the
  // slow-mode objects that defining properties one by one made (a hot path of the background batches).
  const entries: Array<[string, unknown]> = [];
  for (const key of Object.keys(data)) {
    if (IDENTITY_KEYS.has(key)) continue;
    // `href` is the clicked link; every other key keeps its own name (normalised like any property).
    entries.push([key === 'href' ? 'link' : key, data[key]]);
  }
  if (person.uid !== undefined) entries.push(['uid', person.uid]);
  if (person.email !== undefined) entries.push(['email', person.email]);
  entries.push(
    ['name', reportingEventName(objectType, metric)],
    ['cio_event_id', asText(body.event_id, 150) ?? null],
    ['cio_object_type', objectType ?? null],
    ['cio_metric', metric ?? null],
    ['occurred_at', at ?? null],
  );
  return { kind: 'event', item: Object.fromEntries(entries) };
}
