/**
 * The option types: the public `Options` (every field optional but `mongo`, each documented with its
 * default) and the internal, complete and frozen `Config` that `parseOptions` returns.
 */
import type { Db, MongoClient } from 'mongodb';
import type { Agenda } from 'agenda';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

/** How the package reaches MongoDB: a URI it connects itself, a client the host owns, or a `Db`. */
export type MongoOptions =
  | { uri: string; dbName?: string; client?: never; db?: never }
  | { client: MongoClient; dbName?: string; uri?: never; db?: never }
  | { db: Db; uri?: never; client?: never; dbName?: never };

/** An account given statically in the options (instead of stored in MongoDB). */
export interface StaticAccount {
  /** The account's id: 1–64 letters, digits, `_`, `.` or `-`. */
  id: string;
  /** A display name. @defaultValue the id */
  name?: string;
  /** The account's web domain (`acme.co`), sent in the `ping` payload's `account`. @defaultValue none */
  domain?: string;
  /** The account secret that authenticates incoming requests (at least 16 characters). */
  secret: string;
  /** The secret that signs this account's outgoing webhooks (at least 16 characters). */
  webhookSecret: string;
}

/** Size limits of the incoming API. */
export interface LimitOptions {
  /** Largest single-item request body, in bytes (1 KiB to 256 MiB). @defaultValue 1 MiB */
  bodyBytes?: number;
  /** Largest batch request body, in bytes (1 KiB to 256 MiB). @defaultValue 16 MiB */
  batchBytes?: number;
  /** Bytes stored for each scalar value (longer strings are truncated). @defaultValue 768 */
  valueBytes?: number;
  /**
   * Keys accepted per item (a profile, a company, an event, each batch item), the keys of nested
   * objects included; more answers `422` naming the limit (per item in batches). @defaultValue 1000
   */
  propertiesPerItem?: number;
  /** Outgoing webhook endpoints per account. @defaultValue 5 */
  endpointsPerAccount?: number;
}

/** How batches are recorded and applied in the background. */
export interface BatchOptions {
  /**
   * Request bytes of batch bodies this process reads at once (the sum of their
   * `Content-Length`s, or `limits.batchBytes` for a body without one or compressed). A batch
   * that would go over it answers `503` with `Retry-After` before its body is read. At least
   * `limits.batchBytes`. @defaultValue 4 × limits.batchBytes (64 MiB)
   */
  inFlightBytes?: number;
  /** Batches this process applies at once (each holds one chunk of items in memory). @defaultValue 2 */
  concurrency?: number;
  /**
   * How long a process's claim on a batch it applies lasts without progress, in ms; a batch
   * whose process crashed is resumed by any process once its claim has run out. @defaultValue 30000
   */
  leaseMs?: number;
  /** How often each process looks for batches to apply or resume, in ms. @defaultValue 1000 */
  pollIntervalMs?: number;
}

/** Outgoing webhook delivery settings. */
export interface DeliveryOptions {
  /** Request timeout of one attempt, in ms. @defaultValue 7000 */
  timeoutMs?: number;
  /** Delays before each retry, in ms (9 by default, summing to 43 h ± 1 h). @defaultValue DEFAULT_RETRY_SCHEDULE */
  retrySchedule?: readonly number[];
  /** Randomise each retry delay by up to this fraction either way. @defaultValue 0.1 */
  jitter?: number;
  /** Accept `http://` endpoint URLs (local development). @defaultValue false */
  allowHttp?: boolean;
  /** Accept loopback, private, link-local and other non-public targets. @defaultValue false */
  allowPrivateNetworks?: boolean;
  /** Extra CA certificates (PEM) trusted for https endpoints. @defaultValue none */
  ca?: string | Buffer | Array<string | Buffer>;
  /** The `User-Agent` header of every attempt. @defaultValue 'Chameleon Webhooks/v3 (chameleon.io; integral)' */
  userAgent?: string;
  /** Attempts in flight at once in this process (also the Agenda lock limit). @defaultValue 64 */
  concurrency?: number;
  /** Attempts in flight at once to one endpoint, so one slow receiver cannot take every slot. @defaultValue 16 */
  perEndpointConcurrency?: number;
  /**
   * Backpressure: when an endpoint already has as many attempts waiting in this process as it
   * has slots, `publish` waits for room, at most this long, in ms (then, if the queue is very
   * long, the delivery is stored due and the due drain sends it). 0 never waits. @defaultValue 250
   */
  publishWaitMs?: number;
  /** Bytes of each response body kept in the attempt log. @defaultValue 4096 */
  responseBodyBytes?: number;
  /** Disable an endpoint that has failed continuously for this long, in ms. @defaultValue 5 days */
  autoDisableAfterMs?: number;
  /**
   * How long published webhooks, finished deliveries (with their attempt logs) and batch
   * records are kept, in ms, by TTL indexes; also how far back a replay may reach. Pending
   * deliveries are never removed. Must be longer than the retry schedule. @defaultValue 30 days
   */
  retentionMs?: number;
  /**
   * How often each process looks for due deliveries when none were due (retries whose time has
   * come, attempts a crash interrupted), and how often the Agenda the package creates looks for
   * due retry jobs, in ms. @defaultValue 500
   */
  pollIntervalMs?: number;
  /**
   * How often the sweep writes the deliveries a crash left out of a publish's fan-out and
   * disables endpoints failing for too long, in ms. @defaultValue 10000
   */
  sweepIntervalMs?: number;
}

/** Settings for the Agenda instance the package creates (when the host does not pass its own). */
export interface AgendaSettings {
  /** Name of Agenda's jobs collection. @defaultValue `${collectionPrefix}jobs` */
  collection?: string;
}

/** The options of `chameleonHooks()`. Only `mongo` is required. */
export interface Options {
  /**
   * Where data lives: `{ uri, dbName }`, `{ client, dbName }` or `{ db }`.
   * @defaultValue `{ uri: process.env.MONGODB_URI }` (required when that is not set)
   */
  mongo?: MongoOptions;
  /** Prefix of every collection name. @defaultValue 'chameleon_' */
  collectionPrefix?: string;
  /** Static accounts; without them accounts are stored in MongoDB. @defaultValue [] */
  accounts?: StaticAccount[];
  /** Size limits. */
  limits?: LimitOptions;
  /** Outgoing delivery settings. */
  delivery?: DeliveryOptions;
  /** Background batch application. */
  batches?: BatchOptions;
  /** An existing Agenda instance to define jobs on, or settings for the one the package creates. */
  agenda?: Agenda | AgendaSettings;
  /** A pino-compatible logger. @defaultValue silent */
  logger?: Logger;
  /** How often coalesced bookkeeping (catalogues, warnings) is written, in ms. @defaultValue 1000 */
  flushIntervalMs?: number;
  /**
   * Per-account request rate limit of the package's API, counted in this process: over it,
   * requests answer `429` with `wait` seconds and an `X-Ratelimit-Wait` header.
   * `false` turns it off (the host's own limiter, or none). @defaultValue false
   */
  rateLimit?: RateLimitOptions | false;
  /**
   * The key that encrypts stored integration secrets (a Customer.io `api_key` and
   * `webhook_signing_key`) with AES-256-GCM: 32 bytes, as a Buffer, 64 hex characters or
   * base64. Without it those secrets are stored in clear (they must be sent in clear, so they
   * cannot be hashed). Keep it outside the database. @defaultValue none (stored in clear)
   */
  secretsKey?: string | Buffer;
  /** Prometheus metrics (prom-client). */
  metrics?: MetricsOptions;
  /** Customer.io reporting webhooks (data in). */
  customerio?: CustomerioOptions;
}

/** Where the package's Prometheus metrics live. */
export interface MetricsOptions {
  /**
   * A prom-client `Registry` to register the `chameleon_hooks_*` metrics in (your `/metrics` then
   * shows them). Without it they live in a private registry, read with `hooks.metrics()`; pass
   * prom-client's global `register` only if you want them there.
   * @defaultValue a private registry
   */
  registry?: Registry;
}

/** Customer.io as a source (reporting webhooks). */
export interface CustomerioOptions {
  /**
   * How far a reporting webhook's `X-CIO-Timestamp` may be from now, either way, in seconds,
   * when the account's integration has a webhook signing key (1 to 86,400). @defaultValue 300
   */
  webhookToleranceSeconds?: number;
}

/** A per-account request rate limit. */
export interface RateLimitOptions {
  /** The window requests are counted in, in ms. @defaultValue 1000 */
  windowMs?: number;
  /** Requests an account may make per window. @defaultValue 100 */
  limit?: number;
}

/** The complete, frozen configuration the package runs with. */
export interface Config {
  readonly mongo: MongoOptions;
  readonly collectionPrefix: string;
  readonly accounts: readonly Readonly<StaticAccount>[];
  readonly limits: Readonly<Required<LimitOptions>>;
  readonly delivery: Readonly<Required<Omit<DeliveryOptions, 'ca'>>> & { readonly ca: DeliveryOptions['ca'] };
  readonly batches: Readonly<Required<BatchOptions>>;
  readonly agenda: Agenda | AgendaSettings;
  readonly logger: Logger;
  readonly flushIntervalMs: number;
  readonly rateLimit: Readonly<Required<RateLimitOptions>> | false;
  /** The 32-byte key of stored integration secrets, or `undefined` (stored in clear). */
  readonly secretsKey: Buffer | undefined;
  /** The registry the metrics are registered in (the host's, or a private one). */
  readonly metrics: { readonly registry: Registry };
  /** Customer.io reporting webhooks (data in). */
  readonly customerio: Readonly<Required<CustomerioOptions>>;
}
