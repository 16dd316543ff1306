/**
 * Collection names and the index specs `ready()` creates. Lookups by identifier go through
 * single-field unique sparse keys (`uid_key`, `email_key`): the test server ignores partial
 * indexes and collations, and only unique indexes speed up its queries (SPEC §8–9).
 */
import type { Collection, CreateIndexesOptions, Db, Document, IndexSpecification } from 'mongodb';

/** The logical collections the package owns. */
export const COLLECTION_NAMES = [
  'accounts',
  'profiles',
  'companies',
  'events',
  'event_names',
  'properties',
  'warnings',
  'batches',
  'batch_chunks',
  'batch_queue',
  'endpoints',
  'webhooks',
  'deliveries',
  'delivery_counts',
  'destination_stats',
  'delivery_order',
  'state',
  'integrations',
  'integration_people',
  'customerio_reports',
] as const;

/** One of the package's collections. */
export type CollectionName = (typeof COLLECTION_NAMES)[number];

interface IndexSpec {
  key: IndexSpecification;
  options: CreateIndexesOptions & { name: string };
}

/** Every index, by collection. Names are explicit so they are stable across versions. */
export const INDEXES: Record<CollectionName, IndexSpec[]> = {
  accounts: [{ key: { secret_hash: 1 }, options: { name: 'secret_hash_unique', unique: true } }],
  profiles: [
    { key: { uid_key: 1 }, options: { name: 'uid_key_unique', unique: true, sparse: true } },
    { key: { email_key: 1 }, options: { name: 'email_key_unique', unique: true, sparse: true } },
    { key: { account: 1, updated_at: -1 }, options: { name: 'account_updated' } },
  ],
  companies: [
    { key: { uid_key: 1 }, options: { name: 'uid_key_unique', unique: true, sparse: true } },
    { key: { account: 1, updated_at: -1 }, options: { name: 'account_updated' } },
  ],
  events: [
    { key: { account: 1, profile_id: 1, created_at: -1 }, options: { name: 'account_profile_time' } },
    { key: { account: 1, created_at: -1 }, options: { name: 'account_created' } },
  ],
  event_names: [{ key: { key: 1 }, options: { name: 'key_unique', unique: true } }],
  properties: [{ key: { key: 1 }, options: { name: 'key_unique', unique: true } }],
  warnings: [{ key: { key: 1 }, options: { name: 'key_unique', unique: true } }],
  batches: [{ key: { account: 1, created_at: -1 }, options: { name: 'account_created' } }],
  // Found by `_id` only; the queue holds only batches still to apply.
  batch_chunks: [],
  batch_queue: [],
  endpoints: [
    { key: { account: 1, created_at: 1 }, options: { name: 'account_created' } },
    { key: { slot_key: 1 }, options: { name: 'slot_key_unique', unique: true, sparse: true } },
  ],
  webhooks: [{ key: { account: 1, created_at: -1 }, options: { name: 'account_created' } }],
  state: [],
  integrations: [{ key: { key: 1 }, options: { name: 'key_unique', unique: true } }],
  integration_people: [{ key: { key: 1 }, options: { name: 'key_unique', unique: true } }],
  customerio_reports: [
    { key: { key: 1 }, options: { name: 'key_unique', unique: true } },
    { key: { processed_at: 1, received_at: 1 }, options: { name: 'unprocessed' } },
  ],
  delivery_counts: [{ key: { key: 1 }, options: { name: 'key_unique', unique: true } }],
  // Per destination and hour (health); read by key only.
  destination_stats: [{ key: { key: 1 }, options: { name: 'key_unique', unique: true } }],
  // Ordered delivery's per-(endpoint, profile) queues: looked up by `_id` (the key); the sweep's
  // repair pass reads those whose head has not moved for a while, and drops long-empty ones.
  delivery_order: [{ key: { moved_at: 1 }, options: { name: 'moved' } }],
  deliveries: [
    { key: { endpoint_id: 1, created_at: -1 }, options: { name: 'endpoint_created' } },
    { key: { state: 1, next_attempt_at: 1 }, options: { name: 'state_due' } },
    { key: { webhook_id: 1 }, options: { name: 'webhook' } },
    // The dashboard's account-wide lists and counts (newest first, by state).
    { key: { account: 1, created_at: -1 }, options: { name: 'account_created' } },
    { key: { account: 1, state: 1, created_at: -1 }, options: { name: 'account_state_created' } },
    // Claims and conclusions compare-and-set `rev` by itself (pending deliveries only hold one):
    // one lookup on any server, where a conditional update by `_id` scans on the test server.
    { key: { rev: 1 }, options: { name: 'rev_unique', unique: true, sparse: true } },
  ],
};

/** What expires after the retention period (see `delivery.retentionMs`). */
export const RETENTION_INDEXES: ReadonlyArray<{ collection: CollectionName; field: string }> = [
  { collection: 'webhooks', field: 'created_at' },
  { collection: 'deliveries', field: 'completed_at' },
  { collection: 'delivery_counts', field: 'hour' },
  { collection: 'destination_stats', field: 'hour' },
  { collection: 'batches', field: 'created_at' },
  { collection: 'customerio_reports', field: 'received_at' },
  // Chunks are removed once applied; this only collects those a crash left behind.
  { collection: 'batch_chunks', field: 'created_at' },
];

/** Typed access to the package's collections under the configured prefix. */
export class Collections {
  constructor(
    readonly db: Db,
    readonly prefix: string,
  ) {}

  /** The collection `name` under the prefix. */
  get<T extends Document = Document>(name: CollectionName): Collection<T> {
    return this.db.collection<T>(this.prefix + name);
  }

  /** Creates every index (idempotent), and the retention TTL indexes for `retentionMs`. */
  async ensureIndexes(retentionMs?: number): Promise<void> {
    await Promise.all(
      COLLECTION_NAMES.map(async (name) => {
        const specs = INDEXES[name];
        if (specs.length === 0) return;
        await this.get(name).createIndexes(specs.map((s) => ({ key: s.key as Record<string, 1 | -1>, ...s.options })));
      }),
    );
    if (retentionMs !== undefined) {
      const seconds = Math.max(1, Math.round(retentionMs / 1000));
      await Promise.all(RETENTION_INDEXES.map(({ collection, field }) => this.ensureTtl(collection, field, seconds)));
    }
  }

  /**
   * A TTL index on `field`; when one exists with another lifetime (the option changed), it is
   * replaced. Documents whose `field` is null (pending deliveries) never expire.
   */
  private async ensureTtl(name: CollectionName, field: string, seconds: number): Promise<void> {
    const collection = this.get(name);
    const indexName = `${field}_ttl`;
    const existing = (await collection.listIndexes().toArray().catch(() => [])).find((i) => i.name === indexName);
    if (existing && existing.expireAfterSeconds === seconds) return;
    if (existing) await collection.dropIndex(indexName);
    await collection.createIndex({ [field]: 1 }, { name: indexName, expireAfterSeconds: seconds });
  }
}

/** The lookup key of a uid within an account: account ids never contain `|`. */
export function uidKey(account: string, uid: string): string {
  return `${account}|${uid}`;
}

/** The lookup key of an email within an account, case-insensitive. */
export function emailKey(account: string, email: string): string {
  return `${account}|${email.trim().toLowerCase()}`;
}
