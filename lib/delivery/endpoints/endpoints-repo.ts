/**
 * Endpoints: create (URL policy, topic check, per-account limit), list, find, delete,
 * enable/disable, and a short per-account cache of the subscribed set so `publish` costs no
 * endpoint query on the hot path.
 */
import { ObjectId, type Collection } from 'mongodb';
import { ChameleonError } from '../../errors.js';
import { isDuplicateKey } from '../../store/mongo-errors.js';
import { TtlCache } from '../../store/ttl-cache.js';
import { checkEndpointUrl } from '../transport/ssrf-guard.js';
import { isTopic, TOPICS } from '../../topics/index.js';
import { SIGNATURE_SCHEMES, type EndpointDoc, type SignatureScheme } from './documents.js';
import { parseOrdering, type Ordering } from '../ordering/order-key.js';

/** What creating an endpoint takes (after parsing). */
export interface EndpointInput {
  url?: unknown;
  name?: unknown;
  topics?: unknown;
  experience_ids?: unknown;
  /** `chameleon` (default), `standard` or `both`. */
  signature?: unknown;
  /** `none` (default) or `profile`: each profile's deliveries in publish order. */
  ordering?: unknown;
}

/** The policy endpoints are created under. */
export interface EndpointPolicy {
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
  endpointsPerAccount: number;
}

const CACHE_TTL_MS = 1000;

/** A new, enabled endpoint document holding the account's endpoint slot `slot`. */
export function newEndpoint(
  fields: { account: string; slot: number; url: string; name: string; topics: string[]; experienceIds?: string[]; signature?: SignatureScheme; ordering?: Ordering },
  now: Date,
): EndpointDoc {
  return {
    _id: new ObjectId(),
    account: fields.account,
    slot_key: `${fields.account}|${fields.slot}`,
    url: fields.url,
    name: fields.name,
    topics: fields.topics,
    experience_ids: fields.experienceIds ?? [],
    signature: fields.signature ?? 'chameleon',
    ordering: fields.ordering ?? 'none',
    disabled: false,
    disabled_reason: null,
    disabled_at: null,
    failing_since: null,
    last_item_at: null,
    last_item_state: null,
    last_item_error: null,
    created_at: now,
    updated_at: now,
  };
}

/** `topics` as an array or a comma-separated string, checked against `TOPICS`. */
export function parseTopics(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`topics\` must be a non-empty array or comma-separated string of: ${TOPICS.join(', ')}`);
  }
  const topics = [...new Set(list.map((t) => (typeof t === 'string' ? t.trim() : t)))];
  const unknown = topics.filter((t) => !isTopic(t));
  if (unknown.length > 0) throw new ChameleonError('CH_ERR_UNPROCESSABLE', `Unknown topic${unknown.length > 1 ? 's' : ''}: ${unknown.map(String).join(', ')}`);
  return topics as string[];
}

/** `signature`: one of {@link SIGNATURE_SCHEMES}, `chameleon` when absent. */
function parseSignature(value: unknown): SignatureScheme {
  if (value === undefined || value === null) return 'chameleon';
  if (typeof value !== 'string' || !SIGNATURE_SCHEMES.includes(value as SignatureScheme)) {
    throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`signature\` must be one of ${SIGNATURE_SCHEMES.join(', ')}`);
  }
  return value as SignatureScheme;
}

function parseExperienceIds(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value;
  if (!Array.isArray(list) || list.some((id) => typeof id !== 'string' || !/^[0-9a-fA-F]{24}$/.test(id)) || list.length > 1000) {
    throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`experience_ids` must be an array of up to 1,000 experience ids (24-hex)');
  }
  // Stored lowercase: ids are hex, and the filter compares them without regard to case.
  return [...new Set((list as string[]).map((id) => id.toLowerCase()))];
}

/** Reads and writes endpoints. */
export class EndpointsRepo {
  private readonly cache = new TtlCache<string, EndpointDoc[]>(CACHE_TTL_MS);
  /** Endpoints by id for attempts (a backlog drains thousands per second to a few endpoints). */
  private readonly byIdCache = new TtlCache<string, EndpointDoc>(CACHE_TTL_MS);

  constructor(
    private readonly collection: Collection<EndpointDoc>,
    private readonly policy: EndpointPolicy,
  ) {}

  /** Validates and stores a new endpoint. */
  async create(account: string, input: EndpointInput): Promise<EndpointDoc> {
    if (typeof input.url !== 'string') throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`url` is required: the https URL to deliver to');
    const url = checkEndpointUrl(input.url.trim(), this.policy).toString();
    const topics = parseTopics(input.topics);
    const experienceIds = parseExperienceIds(input.experience_ids);
    const signature = parseSignature(input.signature);
    const ordering = parseOrdering(input.ordering);
    if (input.name !== undefined && (typeof input.name !== 'string' || input.name.length > 200)) {
      throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`name` must be a string of up to 200 characters');
    }
    const limit = this.policy.endpointsPerAccount;
    const tooMany = () => new ChameleonError('CH_ERR_UNPROCESSABLE', `An account may have at most ${limit} webhook endpoints; delete one first`);
    // Each endpoint holds one of the account's `limit` numbered slots under a unique index, so
    // concurrent creates can never exceed the limit: a create whose slot was taken meanwhile
    // moves on to the next free one, and finds none when the account is full.
    const taken = new Set((await this.collection.find({ account }, { projection: { slot_key: 1 } }).toArray()).map((d) => d.slot_key));
    const now = new Date();
    for (let slot = 0; slot < limit; slot++) {
      const slotKey = `${account}|${slot}`;
      if (taken.has(slotKey)) continue;
      const doc = newEndpoint({ account, slot, url, name: (input.name as string | undefined)?.trim() || new URL(url).host, topics, experienceIds, signature, ordering }, now);
      try {
        await this.collection.insertOne(doc);
      } catch (error) {
        if (isDuplicateKey(error, 'slot_key')) continue;
        throw error;
      }
      this.invalidate(account);
      return doc;
    }
    throw tooMany();
  }


  /**
   * Changes an endpoint's URL, name, topics, experience filter or ordering, under the same checks
   * as `create`. A change of ordering applies to deliveries created from then on (held ones are
   * still released in their turn).
   */
  async update(account: string, id: string, input: EndpointInput): Promise<EndpointDoc> {
    const unknown = Object.keys(input).filter((k) => !['url', 'name', 'topics', 'experience_ids', 'ordering'].includes(k));
    if (unknown.length > 0) throw new ChameleonError('CH_ERR_UNPROCESSABLE', `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
    const doc = await this.get(account, id);
    const $set: Partial<EndpointDoc> = { updated_at: new Date() };
    if (input.url !== undefined) {
      if (typeof input.url !== 'string') throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`url` must be the https URL to deliver to');
      $set.url = checkEndpointUrl(input.url.trim(), this.policy).toString();
    }
    if (input.topics !== undefined) $set.topics = parseTopics(input.topics);
    if (input.experience_ids !== undefined) $set.experience_ids = parseExperienceIds(input.experience_ids);
    if (input.ordering !== undefined) $set.ordering = parseOrdering(input.ordering);
    if (input.name !== undefined) {
      if (typeof input.name !== 'string' || input.name.length > 200) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`name` must be a string of up to 200 characters');
      $set.name = input.name.trim() || new URL($set.url ?? doc.url).host;
    }
    const updated = await this.collection.findOneAndUpdate({ _id: doc._id, account }, { $set }, { returnDocument: 'after' });
    if (!updated) throw new ChameleonError('CH_ERR_NOT_FOUND', `No webhook endpoint with id ${id}`);
    this.invalidate(account);
    return updated;
  }

  /** Every endpoint of an account, oldest first. */
  list(account: string): Promise<EndpointDoc[]> {
    return this.collection.find({ account }).sort({ created_at: 1 }).limit(1000).toArray();
  }

  /** The enabled endpoints of an account, cached for a second. */
  async enabledFor(account: string): Promise<EndpointDoc[]> {
    return (await this.cache.getOrLoad(account, () => this.collection.find({ account, disabled: false }).toArray())) ?? [];
  }

  /** One endpoint of an account, or a `404`. */
  async get(account: string, id: string): Promise<EndpointDoc> {
    const doc = ObjectId.isValid(id) && /^[0-9a-fA-F]{24}$/.test(id) ? await this.collection.findOne({ _id: new ObjectId(id), account }) : null;
    if (!doc) throw new ChameleonError('CH_ERR_NOT_FOUND', `No webhook endpoint with id ${id}`);
    return doc;
  }

  /** One endpoint by id, whatever its account (for attempts); cached for a second, like `enabledFor`. */
  async byId(id: ObjectId): Promise<EndpointDoc | null> {
    return (await this.byIdCache.getOrLoad(id.toHexString(), async () => (await this.collection.findOne({ _id: id })) ?? undefined)) ?? null;
  }

  /** Deletes an endpoint; `false` when it did not exist. */
  async delete(account: string, id: string): Promise<EndpointDoc> {
    const doc = await this.get(account, id);
    await this.collection.deleteOne({ _id: doc._id, account });
    this.invalidate(account, doc._id);
    return doc;
  }

  /** Disables an endpoint (410 Gone, or failing for too long). */
  async disable(id: ObjectId, reason: string): Promise<void> {
    const now = new Date();
    const doc = await this.collection.findOneAndUpdate(
      { _id: id, disabled: false },
      { $set: { disabled: true, disabled_reason: reason, disabled_at: now, updated_at: now } },
      { projection: { account: 1 } },
    );
    if (doc) this.invalidate(doc.account, id);
  }

  /** Enables an endpoint again (a successful ping). */
  async enable(id: ObjectId): Promise<void> {
    const now = new Date();
    const doc = await this.collection.findOneAndUpdate(
      { _id: id, disabled: true },
      { $set: { disabled: false, disabled_reason: null, disabled_at: null, failing_since: null, updated_at: now } },
      { projection: { account: 1 } },
    );
    if (doc) this.invalidate(doc.account, id);
  }

  /** Disables every endpoint that has failed continuously since before `cutoff`; returns their ids. */
  async disableFailingSince(cutoff: Date, reason: string): Promise<ObjectId[]> {
    const failing = await this.collection.find({ disabled: false, failing_since: { $lt: cutoff } }, { projection: { _id: 1 } }).toArray();
    for (const { _id } of failing) await this.disable(_id, reason);
    return failing.map((d) => d._id);
  }

  /** Forgets the cached endpoints of an account (and one endpoint's by-id entry). */
  invalidate(account: string, id?: ObjectId): void {
    this.cache.delete(account);
    if (id) this.byIdCache.delete(id.toHexString());
  }
}
