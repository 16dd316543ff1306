/**
 * A local Customer.io Track API for tests: checks what Customer.io checks (Basic auth with the
 * workspace's Site ID and API key, the v1 paths, a JSON object body, identify attributes,
 * event `name` ≤ 100 bytes, `timestamp` in unix seconds, `id` ≤ 150 bytes, `data` ≤ 100,000
 * bytes), deduplicates events by `id` as Customer.io does, and answers 500/429/401/… on demand.
 */
import type { IncomingMessage } from 'node:http';
import { startReceiver, type ReceivedRequest, type Receiver, type ReceiverReply } from './receiver.js';

/** A person as identified. */
export interface TrackedPerson {
  id: string;
  attributes: Record<string, unknown>;
  identifies: number;
}

/** An event as accepted. */
export interface TrackedEvent {
  customerId: string;
  name: string;
  id?: string;
  timestamp?: number;
  data?: Record<string, unknown>;
  receivedAt: number;
}

/** A running local Track API. */
export interface TrackApi {
  /** Its base URL, without a trailing slash (a `track_url`). */
  baseUrl: string;
  /** Every request, accepted or not, oldest first. */
  requests: ReceivedRequest[];
  /** People identified, by id. */
  people: Map<string, TrackedPerson>;
  /** Events accepted, deduplicated by `id`, oldest first. */
  events: TrackedEvent[];
  /** Events sent again with an `id` already accepted (ignored, as Customer.io does). */
  duplicates: number;
  /**
   * Answers the next `count` requests (whose path contains `pathPart`, when given) with `reply`
   * instead of checking them (e.g. `{ status: 500 }`).
   */
  failNext(count: number, reply: ReceiverReply, pathPart?: string): void;
  /** Never answers the next event request (an in-flight attempt to interrupt). */
  holdNextEvent(): void;
  close(): Promise<void>;
}

const LIMITS = { nameBytes: 100, idBytes: 150, dataBytes: 100_000 };

function error(status: number, message: string): ReceiverReply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ meta: { errors: [message] } }) };
}

const ok = (): ReceiverReply => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Starts a local Track API for one workspace.
 * @example
 * const api = await startTrackApi({ siteId: 'site1', apiKey: 'key1' });
 * // PUT the integration with track_url: api.baseUrl …
 * api.failNext(1, { status: 500 });
 */
export async function startTrackApi(workspace: { siteId: string; apiKey: string }): Promise<TrackApi> {
  const people = new Map<string, TrackedPerson>();
  const events: TrackedEvent[] = [];
  const eventIds = new Set<string>();
  const failures: Array<{ reply: ReceiverReply; pathPart?: string }> = [];
  let holdEvent = false;
  let duplicates = 0;
  const expectedAuth = `Basic ${Buffer.from(`${workspace.siteId}:${workspace.apiKey}`).toString('base64')}`;

  function check(req: IncomingMessage, raw: Buffer): ReceiverReply {
    if (req.headers.authorization !== expectedAuth) return { status: 401, body: 'Unauthorized request' };
    const match = /^\/api\/v1\/customers\/([^/?]+)(\/events)?$/.exec(req.url ?? '');
    if (!match) return error(404, 'not found');
    const customerId = decodeURIComponent(match[1]!);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return error(400, 'Content-Type must be application/json');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return error(400, 'invalid JSON');
    }
    if (!isObject(body)) return error(400, 'body must be a JSON object');
    if (!match[2]) {
      if (req.method !== 'PUT') return error(404, 'not found');
      for (const [name, value] of Object.entries(body)) {
        if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) return error(400, `attribute ${name} must be a string, number or boolean`);
      }
      if (body.created_at !== undefined && (!Number.isInteger(body.created_at) || (body.created_at as number) > 1e11)) return error(400, 'created_at must be unix seconds');
      const person = people.get(customerId) ?? { id: customerId, attributes: {}, identifies: 0 };
      person.attributes = { ...person.attributes, ...body };
      person.identifies++;
      people.set(customerId, person);
      return ok();
    }
    if (req.method !== 'POST') return error(404, 'not found');
    const { name, id, timestamp, data } = body;
    if (typeof name !== 'string' || name.length === 0) return error(400, 'name is required');
    if (Buffer.byteLength(name) > LIMITS.nameBytes) return error(400, 'name is longer than 100 bytes');
    if (id !== undefined && (typeof id !== 'string' || Buffer.byteLength(id) > LIMITS.idBytes)) return error(400, 'id must be a string of at most 150 bytes');
    if (timestamp !== undefined && (!Number.isInteger(timestamp) || (timestamp as number) > 1e11)) return error(400, 'timestamp must be unix seconds');
    if (data !== undefined && (!isObject(data) || Buffer.byteLength(JSON.stringify(data)) > LIMITS.dataBytes)) return error(400, 'data must be an object of at most 100000 bytes');
    if (typeof id === 'string' && eventIds.has(id)) {
      duplicates++;
      return ok();
    }
    if (typeof id === 'string') eventIds.add(id);
    events.push({ customerId, name, id: id as string | undefined, timestamp: timestamp as number | undefined, data: data as Record<string, unknown> | undefined, receivedAt: Date.now() });
    return ok();
  }

  const receiver: Receiver = await startReceiver((req, body) => {
    if (holdEvent && req.method === 'POST' && /\/events$/.test(req.url ?? '')) {
      holdEvent = false;
      return { status: 200, delayMs: Infinity };
    }
    const index = failures.findIndex((f) => f.pathPart === undefined || (req.url ?? '').includes(f.pathPart));
    if (index >= 0) return failures.splice(index, 1)[0]!.reply;
    return check(req, body);
  });
  return {
    baseUrl: receiver.url.replace(/\/$/, ''),
    requests: receiver.requests,
    people,
    events,
    get duplicates() {
      return duplicates;
    },
    failNext(count, reply, pathPart) {
      for (let i = 0; i < count; i++) failures.push({ reply, ...(pathPart !== undefined ? { pathPart } : {}) });
    },
    holdNextEvent() {
      holdEvent = true;
    },
    close: () => receiver.close(),
  };
}
