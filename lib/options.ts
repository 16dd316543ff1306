/**
 * Options: the public `Options` (every field optional but `mongo`, each documented with its default),
 * the internal, complete and frozen `Config`, the one `DEFAULTS` object, and `parseOptions`.
 */
import type { Db, MongoClient } from 'mongodb';
import type { Agenda } from 'agenda';
import { InvalidOptionError } from './errors.js';
import { ACCOUNT_KEYS, MONGO_KEYS, TOP_LEVEL_KEYS, assertKnownKeys } from './option-keys.js';
import { SILENT_LOGGER, type Logger } from './logger.js';
import { redactingLogger } from './redact.js';
import { Registry } from 'prom-client';
import { DEFAULT_RETRY_SCHEDULE } from './delivery/attempts/retry-schedule.js';

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

const MIB = 1024 * 1024;

/** Every default, in one place. */
export const DEFAULTS = Object.freeze({
  collectionPrefix: 'chameleon_',
  limits: Object.freeze({ bodyBytes: MIB, batchBytes: 16 * MIB, valueBytes: 768, propertiesPerItem: 1000, endpointsPerAccount: 5 }),
  delivery: Object.freeze({
    timeoutMs: 7000,
    retrySchedule: DEFAULT_RETRY_SCHEDULE,
    jitter: 0.1,
    allowHttp: false,
    allowPrivateNetworks: false,
    userAgent: 'Chameleon Webhooks/v3 (chameleon.io; integral)',
    concurrency: 64,
    perEndpointConcurrency: 16,
    publishWaitMs: 250,
    responseBodyBytes: 4096,
    autoDisableAfterMs: 5 * 24 * 60 * 60 * 1000,
    retentionMs: 30 * 24 * 60 * 60 * 1000,
    pollIntervalMs: 500,
    sweepIntervalMs: 10_000,
  }),
  /** `inFlightBytes` is `BATCH_BUDGET_FACTOR × limits.batchBytes` unless given. */
  batches: Object.freeze({ concurrency: 2, leaseMs: 30_000, pollIntervalMs: 1000 }),
  flushIntervalMs: 1000,
  rateLimit: false as const,
  customerio: Object.freeze({ webhookToleranceSeconds: 300 }),
  /** The values a `rateLimit: {}` object is completed with. */
  rateLimitWhenOn: Object.freeze({ windowMs: 1000, limit: 100 }),
});

function omitUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The longest delay a Node.js timer honours; a longer one fires at once (and an interval every 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;
/** The largest body limit: a body is decoded into one string, and V8 strings stop short of 512 MiB. */
const MAX_BODY_BYTES = 256 * MIB;

function positiveInteger(option: string, value: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new InvalidOptionError(option, `expected an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function bool(option: string, value: boolean): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, `expected a boolean, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * `{ uri: MONGODB_URI }` when the option is left out and the environment names a MongoDB (read
 * once, here: `app.use(chameleonHooks())` works as hosts are told to write it).
 */
function mongoFromEnvironment(): MongoOptions | undefined {
  const uri = process.env.MONGODB_URI;
  return typeof uri === 'string' && uri.trim() !== '' ? { uri: uri.trim() } : undefined;
}

function parseMongo(mongo: unknown): MongoOptions {
  if (mongo === undefined) {
    throw new InvalidOptionError('mongo', 'required: pass the `mongo` option ({ uri, dbName }, { client, dbName } or { db }), or set the MONGODB_URI environment variable');
  }
  if (!isPlainObject(mongo)) throw new InvalidOptionError('mongo', 'expected { uri, dbName }, { client, dbName } or { db }');
  assertKnownKeys(mongo, MONGO_KEYS, 'mongo');
  const given = ['uri', 'client', 'db'].filter((k) => mongo[k] !== undefined);
  if (given.length !== 1) throw new InvalidOptionError('mongo', 'pass exactly one of `uri`, `client` or `db`');
  if (mongo.uri !== undefined && (typeof mongo.uri !== 'string' || !/^mongodb(\+srv)?:\/\//.test(mongo.uri))) {
    throw new InvalidOptionError('mongo.uri', 'expected a mongodb:// or mongodb+srv:// connection string');
  }
  if (mongo.client !== undefined && typeof (mongo.client as MongoClient).db !== 'function') {
    throw new InvalidOptionError('mongo.client', 'expected a MongoClient from the `mongodb` package');
  }
  if (mongo.db !== undefined && typeof (mongo.db as Db).collection !== 'function') {
    throw new InvalidOptionError('mongo.db', 'expected a Db from the `mongodb` package');
  }
  if (mongo.dbName !== undefined && (typeof mongo.dbName !== 'string' || !/^[A-Za-z0-9_-]{1,63}$/.test(mongo.dbName))) {
    throw new InvalidOptionError('mongo.dbName', 'expected a database name of letters, digits, `_` or `-`');
  }
  return mongo as MongoOptions;
}

function parseAccounts(accounts: unknown): StaticAccount[] {
  if (accounts === undefined) return [];
  if (!Array.isArray(accounts)) throw new InvalidOptionError('accounts', 'expected an array of { id, secret, webhookSecret }');
  const ids = new Set<string>();
  const secrets = new Set<string>();
  return accounts.map((account: unknown, i) => {
    const at = `accounts[${i}]`;
    if (!isPlainObject(account)) throw new InvalidOptionError(at, 'expected { id, secret, webhookSecret }');
    assertKnownKeys(account, ACCOUNT_KEYS, at);
    const { id, secret, webhookSecret, name, domain } = account;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(id)) {
      throw new InvalidOptionError(`${at}.id`, 'expected 1–64 letters, digits, `_`, `.` or `-`');
    }
    if (typeof secret !== 'string' || secret.length < 16) throw new InvalidOptionError(`${at}.secret`, 'expected a string of at least 16 characters');
    if (typeof webhookSecret !== 'string' || webhookSecret.length < 16) {
      throw new InvalidOptionError(`${at}.webhookSecret`, 'expected a string of at least 16 characters');
    }
    if (name !== undefined && typeof name !== 'string') throw new InvalidOptionError(`${at}.name`, 'expected a string');
    if (domain !== undefined && (typeof domain !== 'string' || domain.length === 0 || domain.length > 253)) {
      throw new InvalidOptionError(`${at}.domain`, 'expected a domain name of 1–253 characters');
    }
    if (ids.has(id)) throw new InvalidOptionError(`${at}.id`, `duplicate account id "${id}"`);
    if (secrets.has(secret)) throw new InvalidOptionError(`${at}.secret`, 'two accounts share one secret');
    ids.add(id);
    secrets.add(secret);
    return Object.freeze({ id, secret, webhookSecret, name: name ?? id, ...(domain !== undefined ? { domain } : {}) });
  });
}

function parseRetrySchedule(value: unknown): readonly number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 50) {
    throw new InvalidOptionError('delivery.retrySchedule', 'expected an array of 1–50 delays in ms');
  }
  value.forEach((delay, i) => {
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
      throw new InvalidOptionError(`delivery.retrySchedule[${i}]`, 'expected a delay in ms ≥ 0');
    }
  });
  return Object.freeze([...value] as number[]);
}

function parseCa(value: unknown): DeliveryOptions['ca'] {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== 'string' && !Buffer.isBuffer(item)) {
      throw new InvalidOptionError('delivery.ca', 'expected PEM strings or Buffers');
    }
  }
  return value as DeliveryOptions['ca'];
}

function parseLogger(value: unknown): Logger {
  if (value === undefined) return SILENT_LOGGER;
  const logger = value as Record<string, unknown>;
  for (const method of ['debug', 'info', 'warn', 'error']) {
    if (typeof logger?.[method] !== 'function') throw new InvalidOptionError('logger', `expected a pino-compatible logger with a \`${method}\` method`);
  }
  // Every line the package logs is redacted first: no account secret, key or signature reaches the host's logs.
  return redactingLogger(value as Logger);
}

function parseRetention(value: number, schedule: readonly number[]): number {
  const retention = positiveInteger('delivery.retentionMs', value, 1000);
  const span = schedule.reduce((sum, delay) => sum + delay, 0);
  if (retention <= span) {
    throw new InvalidOptionError('delivery.retentionMs', `must be longer than the retry schedule (${span} ms), or webhooks would expire before their last retry`);
  }
  return retention;
}

function parseMetrics(value: unknown): Config['metrics'] {
  if (value === undefined) return Object.freeze({ registry: new Registry() });
  if (!isPlainObject(value)) throw new InvalidOptionError('metrics', 'expected { registry }');
  const { registry } = value;
  if (registry === undefined) return Object.freeze({ registry: new Registry() });
  const r = registry as Partial<Registry> | null;
  if (typeof r !== 'object' || r === null || typeof r.registerMetric !== 'function' || typeof r.metrics !== 'function' || typeof r.getSingleMetric !== 'function') {
    throw new InvalidOptionError('metrics.registry', 'expected a prom-client Registry');
  }
  return Object.freeze({ registry: registry as Registry });
}

/** The default in-flight batch budget, in maximum-size batch bodies. */
const BATCH_BUDGET_FACTOR = 4;

function parseBatches(value: unknown, batchBytes: number): Config['batches'] {
  if (value !== undefined && !isPlainObject(value)) throw new InvalidOptionError('batches', 'expected an object');
  const b = { ...DEFAULTS.batches, inFlightBytes: BATCH_BUDGET_FACTOR * batchBytes, ...omitUndefined(value as BatchOptions | undefined) };
  return Object.freeze({
    inFlightBytes: positiveInteger('batches.inFlightBytes', b.inFlightBytes, batchBytes),
    concurrency: positiveInteger('batches.concurrency', b.concurrency, 1, 64),
    leaseMs: positiveInteger('batches.leaseMs', b.leaseMs, 100, MAX_TIMER_MS),
    pollIntervalMs: positiveInteger('batches.pollIntervalMs', b.pollIntervalMs, 10, MAX_TIMER_MS),
  });
}

function parseRateLimit(value: unknown): Config['rateLimit'] {
  if (value === undefined || value === false) return DEFAULTS.rateLimit;
  if (!isPlainObject(value)) throw new InvalidOptionError('rateLimit', 'expected false or { windowMs, limit }');
  const merged = { ...DEFAULTS.rateLimitWhenOn, ...omitUndefined(value as RateLimitOptions) };
  return Object.freeze({
    windowMs: positiveInteger('rateLimit.windowMs', merged.windowMs, 100, MAX_TIMER_MS),
    limit: positiveInteger('rateLimit.limit', merged.limit),
  });
}

/** `secretsKey` as 32 bytes: a Buffer, 64 hex characters, or base64/base64url of 32 bytes. */
function parseSecretsKey(value: unknown): Buffer | undefined {
  if (value === undefined) return undefined;
  const problem = 'expected 32 bytes: a Buffer, 64 hex characters or base64 (e.g. `openssl rand -base64 32`)';
  let key: Buffer | undefined;
  if (Buffer.isBuffer(value)) key = Buffer.from(value);
  else if (typeof value === 'string' && /^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (typeof value === 'string' && /^[A-Za-z0-9+/_-]{43}=?$/.test(value)) key = Buffer.from(value, 'base64');
  if (!key || key.length !== 32) throw new InvalidOptionError('secretsKey', problem);
  return key;
}

function parseCustomerio(value: unknown): Config['customerio'] {
  if (value === undefined) return DEFAULTS.customerio;
  if (!isPlainObject(value)) throw new InvalidOptionError('customerio', 'expected an object');
  const merged = { ...DEFAULTS.customerio, ...omitUndefined(value as CustomerioOptions) };
  return Object.freeze({ webhookToleranceSeconds: positiveInteger('customerio.webhookToleranceSeconds', merged.webhookToleranceSeconds, 1, 86_400) });
}

/**
 * Checks every option and merges it with {@link DEFAULTS}.
 * @throws InvalidOptionError naming the first bad option.
 */
export function parseOptions(options: Options = {}): Config {
  if (!isPlainObject(options)) throw new InvalidOptionError('options', 'expected an object of options');
  assertKnownKeys(options, TOP_LEVEL_KEYS, '');
  for (const [key, known] of [
    ['limits', Object.keys(DEFAULTS.limits)],
    ['delivery', [...Object.keys(DEFAULTS.delivery), 'ca']],
    ['rateLimit', Object.keys(DEFAULTS.rateLimitWhenOn)],
    ['customerio', Object.keys(DEFAULTS.customerio)],
    ['metrics', ['registry']],
    ['batches', [...Object.keys(DEFAULTS.batches), 'inFlightBytes']],
  ] as const) {
    const value = options[key];
    if (isPlainObject(value)) assertKnownKeys(value, known, key);
  }
  const agendaValue = options.agenda;
  if (isPlainObject(agendaValue) && Object.getPrototypeOf(agendaValue) === Object.prototype) assertKnownKeys(agendaValue, ['collection'], 'agenda');
  const mongo = parseMongo(options.mongo ?? mongoFromEnvironment());
  const prefix = options.collectionPrefix ?? DEFAULTS.collectionPrefix;
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_]{0,32}$/.test(prefix)) {
    throw new InvalidOptionError('collectionPrefix', 'expected up to 32 letters, digits or `_`');
  }
  if (options.limits !== undefined && !isPlainObject(options.limits)) throw new InvalidOptionError('limits', 'expected an object');
  if (options.delivery !== undefined && !isPlainObject(options.delivery)) throw new InvalidOptionError('delivery', 'expected an object');
  const limitsIn = { ...DEFAULTS.limits, ...omitUndefined(options.limits) };
  const limits = Object.freeze({
    bodyBytes: positiveInteger('limits.bodyBytes', limitsIn.bodyBytes, 1024, MAX_BODY_BYTES),
    batchBytes: positiveInteger('limits.batchBytes', limitsIn.batchBytes, 1024, MAX_BODY_BYTES),
    valueBytes: positiveInteger('limits.valueBytes', limitsIn.valueBytes, 16),
    propertiesPerItem: positiveInteger('limits.propertiesPerItem', limitsIn.propertiesPerItem, 1, 1_000_000),
    endpointsPerAccount: positiveInteger('limits.endpointsPerAccount', limitsIn.endpointsPerAccount),
  });
  const d = { ...DEFAULTS.delivery, ...omitUndefined(options.delivery) };
  if (typeof d.jitter !== 'number' || !(d.jitter >= 0 && d.jitter <= 0.5)) throw new InvalidOptionError('delivery.jitter', 'expected a fraction from 0 to 0.5');
  if (typeof d.userAgent !== 'string' || d.userAgent.length === 0 || /[\r\n]/.test(d.userAgent)) {
    throw new InvalidOptionError('delivery.userAgent', 'expected a one-line string');
  }
  const delivery = Object.freeze({
    timeoutMs: positiveInteger('delivery.timeoutMs', d.timeoutMs, 10, MAX_TIMER_MS),
    retrySchedule: parseRetrySchedule(d.retrySchedule),
    jitter: d.jitter,
    allowHttp: bool('delivery.allowHttp', d.allowHttp),
    allowPrivateNetworks: bool('delivery.allowPrivateNetworks', d.allowPrivateNetworks),
    ca: parseCa(options.delivery?.ca),
    userAgent: d.userAgent,
    concurrency: positiveInteger('delivery.concurrency', d.concurrency),
    perEndpointConcurrency: positiveInteger('delivery.perEndpointConcurrency', d.perEndpointConcurrency),
    publishWaitMs: positiveInteger('delivery.publishWaitMs', d.publishWaitMs, 0, MAX_TIMER_MS),
    responseBodyBytes: positiveInteger('delivery.responseBodyBytes', d.responseBodyBytes, 0),
    autoDisableAfterMs: positiveInteger('delivery.autoDisableAfterMs', d.autoDisableAfterMs),
    retentionMs: parseRetention(d.retentionMs, d.retrySchedule),
    pollIntervalMs: positiveInteger('delivery.pollIntervalMs', d.pollIntervalMs, 10, MAX_TIMER_MS),
    sweepIntervalMs: positiveInteger('delivery.sweepIntervalMs', d.sweepIntervalMs, 50, MAX_TIMER_MS),
  });
  const agenda = options.agenda ?? {};
  if (!isPlainObject(agenda)) throw new InvalidOptionError('agenda', 'expected an Agenda instance or settings');
  const flushIntervalMs = positiveInteger('flushIntervalMs', (options.flushIntervalMs as number | undefined) ?? DEFAULTS.flushIntervalMs, 10, MAX_TIMER_MS);
  return Object.freeze({
    rateLimit: parseRateLimit(options.rateLimit),
    metrics: parseMetrics(options.metrics),
    customerio: parseCustomerio(options.customerio),
    mongo,
    collectionPrefix: prefix,
    accounts: Object.freeze(parseAccounts(options.accounts)),
    limits,
    delivery,
    batches: parseBatches(options.batches, limits.batchBytes),
    agenda: agenda as Agenda | AgendaSettings,
    logger: parseLogger(options.logger),
    flushIntervalMs,
    secretsKey: parseSecretsKey(options.secretsKey),
  });
}
