/**
 * Which published activity becomes which Customer.io event, for whom, and with which
 * properties: pure functions of the topic, its data and the integration's settings.
 */
import { DEFAULT_EVENT_NAMES, PREVIEWED_EVENT, STEP_SEEN_EVENT, TRACK_LIMITS, type Identifier } from './config.js';

/** The settings the mapping depends on. */
export interface MappingSettings {
  step_seen: boolean;
  previews: boolean;
  events: Readonly<Record<string, string>>;
  identifier: Identifier;
}

/** The Customer.io person an activity is sent to. */
export interface TrackPerson {
  /** The identifier in the URL: the profile's `uid` or email. */
  id: string;
  /** The profile's email, when it has one. */
  email: string | null;
  /** When the person was created, in unix seconds. */
  created_at: number;
}

/** An event to send (its deterministic `id` is added per delivery). */
export interface MappedEvent {
  person: TrackPerson;
  name: string;
  /** The activity's time, in unix seconds. */
  timestamp: number;
  data: Record<string, unknown>;
}

/** The result of mapping: an event, or why it is not sent. */
export type Mapping = { event: MappedEvent } | { skipped: string };

/**
 * The Customer.io event name of a topic or activity kind under the settings, or `undefined`
 * when the integration does not forward it.
 *
 * @example
 * eventNameFor('tour.started', settings)   // 'Started Tour (Chameleon)'
 * eventNameFor('tour.step.seen', { ...settings, step_seen: false }) // undefined
 */
export function eventNameFor(topic: string, settings: MappingSettings): string | undefined {
  if (Object.hasOwn(settings.events, topic)) return settings.events[topic];
  if (Object.hasOwn(DEFAULT_EVENT_NAMES, topic)) return DEFAULT_EVENT_NAMES[topic];
  if (topic === 'tour.step.seen') return settings.step_seen ? STEP_SEEN_EVENT : undefined;
  if (topic === 'tour.previewed') return settings.previews ? PREVIEWED_EVENT : undefined;
  return undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The experience models a payload may carry, by the kind they name. */
const EXPERIENCE_FIELDS = ['tour', 'survey', 'embed', 'demo'] as const;

/** When a person was created: `profile.created_at`, else the time inside its 24-hex id, else `fallback`. */
function createdAt(profile: Obj, fallback: number): number {
  const given = profile.created_at;
  if (typeof given === 'number' && Number.isFinite(given)) return Math.floor(given > 1e11 ? given / 1000 : given);
  if (typeof given === 'string' && !Number.isNaN(Date.parse(given))) return Math.floor(Date.parse(given) / 1000);
  const id = str(profile.id);
  if (id && /^[0-9a-fA-F]{24}$/.test(id)) return parseInt(id.slice(0, 8), 16);
  return fallback;
}

/** The step's position: `step_number`, `step.number`, or its index in the experience's `steps`. */
function stepNumber(data: Obj, step: Obj, experience: Obj | undefined): number | undefined {
  if (Number.isInteger(data.step_number)) return data.step_number as number;
  if (Number.isInteger(step.number)) return step.number as number;
  const steps = experience?.steps;
  if (Array.isArray(steps)) {
    const index = steps.findIndex((s) => isObj(s) && s.id === step.id);
    if (index >= 0) return index + 1;
  }
  return undefined;
}

/**
 * The event properties of an activity: the experience's kind, id and name, the URL, the step
 * number and id, the button, and the action (with how the experience was delivered).
 *
 * @example
 * eventProperties('tour.started', { tour: { id: 't1', name: 'Welcome' }, step: { id: 's1' } })
 * // { experience_kind: 'tour', tour_id: 't1', tour_name: 'Welcome', step_id: 's1', step_number: … }
 */
export function eventProperties(topic: string, data: Obj): Obj {
  const out: Obj = {};
  const field = EXPERIENCE_FIELDS.find((f) => isObj(data[f]));
  const experience = field ? (data[field] as Obj) : undefined;
  if (field && experience) {
    out.experience_kind = str(experience.kind) ?? field;
    out[`${field}_id`] = experience.id;
    if (str(experience.name)) out[`${field}_name`] = experience.name;
  } else {
    out.experience_kind = topic.split('.')[0];
  }
  const url = str(data.url) ?? str(data.page_url);
  if (url) out.url = url;
  if (isObj(data.step)) {
    out.step_id = data.step.id;
    const number = stepNumber(data, data.step, experience);
    if (number !== undefined) out.step_number = number;
  }
  if (isObj(data.button)) {
    if (data.button.id !== undefined) out.button_id = data.button.id;
    if (str(data.button.text)) out.button_text = data.button.text;
    const action = str(data.button.tour_action) ?? str(data.button.action);
    if (action) out.button_action = action;
  }
  if (isObj(data.action)) {
    if (data.action.id !== undefined) out.action_id = data.action.id;
    if (data.action.group_kind !== undefined) out.group_kind = data.action.group_kind;
    if (str(data.action.group_id)) out.group_id = data.action.group_id;
  }
  return out;
}

/**
 * Maps one published activity to the event Customer.io receives, or says why it is skipped
 * (no profile, or the profile lacks the chosen identifier).
 *
 * @param createdAtMs - When the activity was published (the event's `timestamp`).
 */
export function mapActivity(topic: string, data: Obj, settings: MappingSettings, createdAtMs: number): Mapping {
  const name = eventNameFor(topic, settings);
  if (name === undefined) return { skipped: `Customer.io does not receive ${topic} under this integration's settings` };
  const profile = data.profile;
  if (!isObj(profile)) return { skipped: 'The activity has no profile to send it to' };
  const email = str(profile.email) ?? null;
  const id = settings.identifier === 'email' ? email : str(profile.uid);
  if (!id) return { skipped: `The profile has no ${settings.identifier}: Customer.io identifies people by it` };
  if (Buffer.byteLength(id, 'utf8') > TRACK_LIMITS.idBytes) {
    return { skipped: `The profile's ${settings.identifier} is longer than Customer.io's ${TRACK_LIMITS.idBytes}-byte limit for identifiers` };
  }
  const timestamp = Math.floor(createdAtMs / 1000);
  return {
    event: {
      person: { id, email, created_at: createdAt(profile, timestamp) },
      name,
      timestamp,
      data: eventProperties(topic, data),
    },
  };
}
