/**
 * The checks of single options, each throwing `InvalidOptionError` naming the option: numbers in a
 * range, the MongoDB connection, static accounts, the retry schedule, and each option group.
 */
import { InvalidOptionError } from '../errors.js';
import { ACCOUNT_KEYS, MONGO_KEYS, assertKnownKeys } from '../option-keys.js';
import { SILENT_LOGGER, type Logger } from '../logger.js';
import { redactingLogger } from '../redact.js';
import type { Db, MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { DEFAULTS, MIB } from './defaults.js';
import type { BatchOptions, Config, CustomerioOptions, DeliveryOptions, MongoOptions, RateLimitOptions, StaticAccount } from './types.js';

/** The object without its `undefined` fields (so they do not override defaults). */
export function omitUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Whether `value` is an object (not `null`, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The longest delay a Node.js timer honours; a longer one fires at once (and an interval every 1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;
/** The largest body limit: a body is decoded into one string, and V8 strings stop short of 512 MiB. */
export const MAX_BODY_BYTES = 256 * MIB;

/** An integer within `min`–`max`, or an error naming the option and the range. */
export function positiveInteger(option: string, value: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new InvalidOptionError(option, `expected an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A boolean, or an error naming the option. */
export function bool(option: string, value: boolean): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, `expected a boolean, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * `{ uri: MONGODB_URI }` when the option is left out and the environment names a MongoDB (read
 * once, here: `app.use(chameleonHooks())` works as hosts are told to write it).
 */
export function mongoFromEnvironment(): MongoOptions | undefined {
  const uri = process.env.MONGODB_URI;
  return typeof uri === 'string' && uri.trim() !== '' ? { uri: uri.trim() } : undefined;
}

/** The `mongo` option: exactly one of `uri`, `client` or `db`, with an optional `dbName`. */
export function parseMongo(mongo: unknown): MongoOptions {
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

/** The static `accounts`: ids, names and webhook secrets, each checked, no id twice. */
export function parseAccounts(accounts: unknown): StaticAccount[] {
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

/** `delivery.retrySchedule`: 1–50 delays in ms, each ≥ 0. */
export function parseRetrySchedule(value: unknown): readonly number[] {
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

/** `delivery.ca`: the extra certificate authorities receivers may use. */
export function parseCa(value: unknown): DeliveryOptions['ca'] {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== 'string' && !Buffer.isBuffer(item)) {
      throw new InvalidOptionError('delivery.ca', 'expected PEM strings or Buffers');
    }
  }
  return value as DeliveryOptions['ca'];
}

/** The `logger`, wrapped so that nothing it logs carries a secret. */
export function parseLogger(value: unknown): Logger {
  if (value === undefined) return SILENT_LOGGER;
  const logger = value as Record<string, unknown>;
  for (const method of ['debug', 'info', 'warn', 'error']) {
    if (typeof logger?.[method] !== 'function') throw new InvalidOptionError('logger', `expected a pino-compatible logger with a \`${method}\` method`);
  }
  // Every line the package logs is redacted first: no account secret, key or signature reaches the host's logs.
  return redactingLogger(value as Logger);
}

/** `delivery.retentionMs`: at least a second, and longer than the whole retry schedule. */
export function parseRetention(value: number, schedule: readonly number[]): number {
  const retention = positiveInteger('delivery.retentionMs', value, 1000);
  const span = schedule.reduce((sum, delay) => sum + delay, 0);
  if (retention <= span) {
    throw new InvalidOptionError('delivery.retentionMs', `must be longer than the retry schedule (${span} ms), or webhooks would expire before their last retry`);
  }
  return retention;
}

/** The `metrics` option: the host's prom-client registry, or a private one. */
export function parseMetrics(value: unknown): Config['metrics'] {
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
export const BATCH_BUDGET_FACTOR = 4;

/** The `batches` option, its in-flight budget at least `limits.batchBytes`. */
export function parseBatches(value: unknown, batchBytes: number): Config['batches'] {
  if (value !== undefined && !isPlainObject(value)) throw new InvalidOptionError('batches', 'expected an object');
  const b = { ...DEFAULTS.batches, inFlightBytes: BATCH_BUDGET_FACTOR * batchBytes, ...omitUndefined(value as BatchOptions | undefined) };
  return Object.freeze({
    inFlightBytes: positiveInteger('batches.inFlightBytes', b.inFlightBytes, batchBytes),
    concurrency: positiveInteger('batches.concurrency', b.concurrency, 1, 64),
    leaseMs: positiveInteger('batches.leaseMs', b.leaseMs, 100, MAX_TIMER_MS),
    pollIntervalMs: positiveInteger('batches.pollIntervalMs', b.pollIntervalMs, 10, MAX_TIMER_MS),
  });
}

/** The `rateLimit` option: `false` (the default), or a window and a limit. */
export function parseRateLimit(value: unknown): Config['rateLimit'] {
  if (value === undefined || value === false) return DEFAULTS.rateLimit;
  if (!isPlainObject(value)) throw new InvalidOptionError('rateLimit', 'expected false or { windowMs, limit }');
  const merged = { ...DEFAULTS.rateLimitWhenOn, ...omitUndefined(value as RateLimitOptions) };
  return Object.freeze({
    windowMs: positiveInteger('rateLimit.windowMs', merged.windowMs, 100, MAX_TIMER_MS),
    limit: positiveInteger('rateLimit.limit', merged.limit),
  });
}

/** `secretsKey` as 32 bytes: a Buffer, 64 hex characters, or base64/base64url of 32 bytes. */
export function parseSecretsKey(value: unknown): Buffer | undefined {
  if (value === undefined) return undefined;
  const problem = 'expected 32 bytes: a Buffer, 64 hex characters or base64 (e.g. `openssl rand -base64 32`)';
  let key: Buffer | undefined;
  if (Buffer.isBuffer(value)) key = Buffer.from(value);
  else if (typeof value === 'string' && /^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (typeof value === 'string' && /^[A-Za-z0-9+/_-]{43}=?$/.test(value)) key = Buffer.from(value, 'base64');
  if (!key || key.length !== 32) throw new InvalidOptionError('secretsKey', problem);
  return key;
}

/** The `customerio` option (reporting webhooks). */
export function parseCustomerio(value: unknown): Config['customerio'] {
  if (value === undefined) return DEFAULTS.customerio;
  if (!isPlainObject(value)) throw new InvalidOptionError('customerio', 'expected an object');
  const merged = { ...DEFAULTS.customerio, ...omitUndefined(value as CustomerioOptions) };
  return Object.freeze({ webhookToleranceSeconds: positiveInteger('customerio.webhookToleranceSeconds', merged.webhookToleranceSeconds, 1, 86_400) });
}
