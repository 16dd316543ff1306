// Tests for lib/options.ts: every bad option is refused at construction with an error naming it; defaults; explicit edge values.
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { chameleonHooks, DEFAULTS, DEFAULT_RETRY_SCHEDULE, InvalidOptionError, type Options } from '../../lib/index.js';
import { parseOptions } from '../../lib/options.js';

const URI = 'mongodb://127.0.0.1:1';
const ACCOUNT = { id: 'acme', secret: 'acct_0123456789abcdef', webhookSecret: 'whsec_0123456789abcdef' };
const fakeClient = { db: () => ({}) };
const fakeDb = { collection: () => ({}) };

/** The error `chameleonHooks(options)` throws, or fails the test when it does not throw. */
function thrownBy(options: unknown): InvalidOptionError {
  try {
    chameleonHooks(options as Options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error(`chameleonHooks accepted ${JSON.stringify(options)}`);
}

const withMongo = (extra: Record<string, unknown>) => ({ mongo: { uri: URI }, ...extra });

describe('chameleonHooks(options) validation', () => {
  // `mongo` defaults to MONGODB_URI: these cases are about the options alone, whatever the environment.
  beforeEach(() => {
    vi.stubEnv('MONGODB_URI', '');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each<[string, string, unknown]>([
    ['no options at all (and no MONGODB_URI)', 'mongo', undefined],
    ['options that are not an object', 'options', 'mongodb://x'],
    ['an empty object (mongo missing)', 'mongo', {}],
    ['mongo null', 'mongo', { mongo: null }],
    ['mongo with nothing in it', 'mongo', { mongo: {} }],
    ['mongo with two of uri, client and db', 'mongo', { mongo: { uri: URI, client: fakeClient } }],
    ['mongo with all three', 'mongo', { mongo: { uri: URI, client: fakeClient, db: fakeDb } }],
    ['a uri that is not a mongodb URI', 'mongo.uri', { mongo: { uri: 'http://localhost:27017' } }],
    ['a uri that is not a string', 'mongo.uri', { mongo: { uri: 27017 } }],
    ['an empty uri', 'mongo.uri', { mongo: { uri: '' } }],
    ['a client without db()', 'mongo.client', { mongo: { client: {} } }],
    ['a db without collection()', 'mongo.db', { mongo: { db: { name: 'x' } } }],
    ['a database name with a slash', 'mongo.dbName', { mongo: { uri: URI, dbName: 'a/b' } }],
    ['an empty database name', 'mongo.dbName', { mongo: { uri: URI, dbName: '' } }],
    ['a collection prefix with a dot', 'collectionPrefix', withMongo({ collectionPrefix: 'my.prefix' })],
    ['a collection prefix with $', 'collectionPrefix', withMongo({ collectionPrefix: '$x' })],
    ['a collection prefix that is a number', 'collectionPrefix', withMongo({ collectionPrefix: 5 })],
    ['a collection prefix of 33 characters', 'collectionPrefix', withMongo({ collectionPrefix: 'p'.repeat(33) })],
    ['accounts that are not an array', 'accounts', withMongo({ accounts: ACCOUNT })],
    ['an account that is not an object', 'accounts[0]', withMongo({ accounts: ['acme'] })],
    ['an account id with a |', 'accounts[0].id', withMongo({ accounts: [{ ...ACCOUNT, id: 'a|b' }] })],
    ['an empty account id', 'accounts[0].id', withMongo({ accounts: [{ ...ACCOUNT, id: '' }] })],
    ['duplicate account ids', 'accounts[1].id', withMongo({ accounts: [ACCOUNT, { ...ACCOUNT, secret: 'acct_another_secret_0000' }] })],
    ['two accounts sharing a secret', 'accounts[1].secret', withMongo({ accounts: [ACCOUNT, { ...ACCOUNT, id: 'other' }] })],
    ['a short account secret', 'accounts[0].secret', withMongo({ accounts: [{ ...ACCOUNT, secret: 'short' }] })],
    ['a missing account secret', 'accounts[0].secret', withMongo({ accounts: [{ id: 'acme', webhookSecret: ACCOUNT.webhookSecret }] })],
    ['a short webhook secret', 'accounts[0].webhookSecret', withMongo({ accounts: [{ ...ACCOUNT, webhookSecret: 'whsec' }] })],
    ['an account name that is not a string', 'accounts[0].name', withMongo({ accounts: [{ ...ACCOUNT, name: 7 }] })],
    ['limits that are not an object', 'limits', withMongo({ limits: 5 })],
    ['a body limit below 1 KiB', 'limits.bodyBytes', withMongo({ limits: { bodyBytes: 100 } })],
    ['a body limit above 256 MiB', 'limits.bodyBytes', withMongo({ limits: { bodyBytes: 2 ** 30 } })],
    ['a fractional batch limit', 'limits.batchBytes', withMongo({ limits: { batchBytes: 1.5 * 1024 * 1024 + 0.5 } })],
    ['a batch limit given as a string', 'limits.batchBytes', withMongo({ limits: { batchBytes: '16mb' } })],
    ['a value limit of 0', 'limits.valueBytes', withMongo({ limits: { valueBytes: 0 } })],
    ['no endpoints per account', 'limits.endpointsPerAccount', withMongo({ limits: { endpointsPerAccount: 0 } })],
    ['delivery that is not an object', 'delivery', withMongo({ delivery: [] })],
    ['a negative timeout', 'delivery.timeoutMs', withMongo({ delivery: { timeoutMs: -1 } })],
    ['a NaN timeout', 'delivery.timeoutMs', withMongo({ delivery: { timeoutMs: Number.NaN } })],
    ['a timeout too long for a Node.js timer', 'delivery.timeoutMs', withMongo({ delivery: { timeoutMs: 2 ** 31 } })],
    ['a retry schedule that is not an array', 'delivery.retrySchedule', withMongo({ delivery: { retrySchedule: 1000 } })],
    ['an empty retry schedule', 'delivery.retrySchedule', withMongo({ delivery: { retrySchedule: [] } })],
    ['a retry schedule with a negative delay', 'delivery.retrySchedule[1]', withMongo({ delivery: { retrySchedule: [1000, -5, 1000] } })],
    ['a retry schedule with an infinite delay', 'delivery.retrySchedule[0]', withMongo({ delivery: { retrySchedule: [Infinity] } })],
    ['a retry schedule with a string delay', 'delivery.retrySchedule[0]', withMongo({ delivery: { retrySchedule: ['1h'] } })],
    ['a NaN jitter', 'delivery.jitter', withMongo({ delivery: { jitter: Number.NaN } })],
    ['a jitter above 0.5', 'delivery.jitter', withMongo({ delivery: { jitter: 0.9 } })],
    ['allowHttp as a string', 'delivery.allowHttp', withMongo({ delivery: { allowHttp: 'true' } })],
    ['allowHttp as 1', 'delivery.allowHttp', withMongo({ delivery: { allowHttp: 1 } })],
    ['allowPrivateNetworks as a string', 'delivery.allowPrivateNetworks', withMongo({ delivery: { allowPrivateNetworks: 'yes' } })],
    ['a CA that is a number', 'delivery.ca', withMongo({ delivery: { ca: 42 } })],
    ['a user agent with a newline', 'delivery.userAgent', withMongo({ delivery: { userAgent: 'x\r\nX-Injected: 1' } })],
    ['an empty user agent', 'delivery.userAgent', withMongo({ delivery: { userAgent: '' } })],
    ['zero concurrency', 'delivery.concurrency', withMongo({ delivery: { concurrency: 0 } })],
    ['a poll interval of 1 ms', 'delivery.pollIntervalMs', withMongo({ delivery: { pollIntervalMs: 1 } })],
    ['a sweep interval too long for a Node.js timer', 'delivery.sweepIntervalMs', withMongo({ delivery: { sweepIntervalMs: 2 ** 31 } })],
    ['a flush interval too long for a Node.js timer', 'flushIntervalMs', withMongo({ flushIntervalMs: 2 ** 31 })],
    ['a flush interval of 0', 'flushIntervalMs', withMongo({ flushIntervalMs: 0 })],
    ['agenda that is an array', 'agenda', withMongo({ agenda: [] })],
    ['a logger without methods', 'logger', withMongo({ logger: {} })],
    ['a logger missing error()', 'logger', withMongo({ logger: { debug() {}, info() {}, warn() {} } })],
    ['a logger that is a function', 'logger', withMongo({ logger: () => undefined })],
    ['a logger that is null', 'logger', withMongo({ logger: null })],
    ['metrics that is not an object', 'metrics', withMongo({ metrics: true })],
    ['a metrics registry that is not a prom-client Registry', 'metrics.registry', withMongo({ metrics: { registry: {} } })],
    ['a metrics registry that is null', 'metrics.registry', withMongo({ metrics: { registry: null } })],
  ])('should throw InvalidOptionError naming %s', (_label, option, options) => {
    const error = thrownBy(options);
    expect(error.option).toBe(option);
    expect(error.code).toBe('CH_ERR_INVALID_OPTION');
    expect(error.name).toBe('InvalidOptionError');
    expect(error.message).toContain(`\`${option}\``);
    expect(error.details).toMatchObject({ option });
  });

  it('should accept each of the three mongo forms', () => {
    expect(() => chameleonHooks({ mongo: { uri: URI, dbName: 'app' } })).not.toThrow();
    expect(() => chameleonHooks({ mongo: { uri: 'mongodb+srv://cluster.example.net/app' } })).not.toThrow();
    expect(() => chameleonHooks({ mongo: { client: fakeClient as never, dbName: 'app' } })).not.toThrow();
    expect(() => chameleonHooks({ mongo: { db: fakeDb as never } })).not.toThrow();
  });
});

describe('parseOptions defaults', () => {
  it('should apply every documented default', () => {
    const config = parseOptions({ mongo: { uri: URI } });
    expect(config.collectionPrefix).toBe('chameleon_');
    expect(config.accounts).toEqual([]);
    expect(config.limits).toEqual({ bodyBytes: 1024 * 1024, batchBytes: 16 * 1024 * 1024, valueBytes: 768, propertiesPerItem: 1000, endpointsPerAccount: 5 });
    expect(config.delivery).toMatchObject({
      timeoutMs: 7000,
      retrySchedule: DEFAULT_RETRY_SCHEDULE,
      allowHttp: false,
      allowPrivateNetworks: false,
      userAgent: 'Chameleon Webhooks/v3 (chameleon.io; integral)',
      ca: undefined,
    });
    expect(config.flushIntervalMs).toBe(DEFAULTS.flushIntervalMs);
    expect(config.logger.info).toBeTypeOf('function');
  });

  it('should freeze the configuration all the way down', () => {
    const config = parseOptions({ mongo: { uri: URI }, accounts: [ACCOUNT], delivery: { retrySchedule: [1000, 2000] } });
    for (const part of [config, config.limits, config.delivery, config.accounts, config.accounts[0], config.delivery.retrySchedule]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(Object.isFrozen(DEFAULTS) && Object.isFrozen(DEFAULTS.limits) && Object.isFrozen(DEFAULTS.delivery)).toBe(true);
  });

  it('should copy the retry schedule, so later changes to the caller’s array do not apply', () => {
    const schedule = [1000, 2000];
    const config = parseOptions({ mongo: { uri: URI }, delivery: { retrySchedule: schedule } });
    schedule.push(3000);
    expect(config.delivery.retrySchedule).toEqual([1000, 2000]);
  });

  it('should treat explicit undefined values as “use the default”', () => {
    const config = parseOptions({
      mongo: { uri: URI },
      collectionPrefix: undefined,
      limits: { bodyBytes: undefined, batchBytes: 2048 },
      delivery: { timeoutMs: undefined, allowHttp: undefined },
      flushIntervalMs: undefined,
    });
    expect(config.collectionPrefix).toBe('chameleon_');
    expect(config.limits).toMatchObject({ bodyBytes: 1024 * 1024, batchBytes: 2048 });
    expect(config.delivery).toMatchObject({ timeoutMs: 7000, allowHttp: false });
  });

  it.each<[string, Partial<Options>, (c: ReturnType<typeof parseOptions>) => unknown, unknown]>([
    ['an empty collection prefix', { collectionPrefix: '' }, (c) => c.collectionPrefix, ''],
    ['a jitter of 0', { delivery: { jitter: 0 } }, (c) => c.delivery.jitter, 0],
    ['a response body limit of 0', { delivery: { responseBodyBytes: 0 } }, (c) => c.delivery.responseBodyBytes, 0],
    ['a retry delay of 0', { delivery: { retrySchedule: [0, 0] } }, (c) => c.delivery.retrySchedule, [0, 0]],
    ['allowHttp false', { delivery: { allowHttp: false } }, (c) => c.delivery.allowHttp, false],
    ['the smallest timeout', { delivery: { timeoutMs: 10 } }, (c) => c.delivery.timeoutMs, 10],
    ['the longest timer', { flushIntervalMs: 2_147_483_647 }, (c) => c.flushIntervalMs, 2_147_483_647],
    ['a 1 KiB batch limit', { limits: { batchBytes: 1024 } }, (c) => c.limits.batchBytes, 1024],
  ])('should keep %s as given, not replace it with the default', (_label, extra, read, expected) => {
    expect(read(parseOptions({ mongo: { uri: URI }, ...extra }))).toEqual(expected);
  });

  it('should default a static account’s name to its id', () => {
    const config = parseOptions({ mongo: { uri: URI }, accounts: [ACCOUNT, { ...ACCOUNT, id: 'named', secret: 'acct_named_secret_00000', name: 'Named Co' }] });
    expect(config.accounts.map((a) => a.name)).toEqual(['acme', 'Named Co']);
  });

  it('should log through the host’s logger, redacted', () => {
    const lines: unknown[][] = [];
    const logger = { debug: (...a: unknown[]) => lines.push(['debug', ...a]), info() {}, warn() {}, error: (...a: unknown[]) => lines.push(['error', ...a]) };
    const config = parseOptions({ mongo: { uri: URI }, logger });
    config.logger.debug({ path: '/v3/observe/hooks/acct_secret_value_000000/profiles' }, 'hello');
    config.logger.error({ headers: { 'x-account-secret': 'acct_secret_value_000000' } });
    expect(lines).toEqual([
      ['debug', { path: '/v3/observe/hooks/:account_secret/profiles' }, 'hello'],
      ['error', { headers: { 'x-account-secret': '[redacted]' } }, undefined],
    ]);
  });
});

describe('secretsKey', () => {
  const KEY_HEX = 'ab'.repeat(32);
  it.each<[string, unknown]>([
    ['64 hex characters', KEY_HEX],
    ['base64 of 32 bytes', Buffer.alloc(32, 7).toString('base64')],
    ['base64url of 32 bytes', Buffer.alloc(32, 250).toString('base64url')],
    ['a 32-byte Buffer', Buffer.alloc(32, 1)],
  ])('should accept %s', (_name, secretsKey) => {
    expect(parseOptions({ mongo: { uri: URI }, secretsKey } as Options).secretsKey).toHaveLength(32);
  });

  it('should default to none (secrets stored in clear)', () => {
    expect(parseOptions({ mongo: { uri: URI } }).secretsKey).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['a short string', 'secret'],
    ['63 hex characters', 'a'.repeat(63)],
    ['a 16-byte Buffer', Buffer.alloc(16)],
    ['base64 of 31 bytes', Buffer.alloc(31).toString('base64')],
    ['a number', 42],
    ['an object', { key: 'x' }],
  ])('should refuse %s, naming secretsKey', (_name, secretsKey) => {
    expect(thrownBy(withMongo({ secretsKey })).option).toBe('secretsKey');
  });
});
