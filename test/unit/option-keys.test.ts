// Tests for lib/option-keys.ts and the MONGODB_URI default: a typo in any options object throws InvalidOptionError naming
// it; chameleonHooks() with no argument takes MONGODB_URI, and without either the error names both.
import { describe, it, expect, afterEach, vi } from 'vitest';
import { chameleonHooks, InvalidOptionError, type Options } from '../../lib/index.js';
import { parseOptions } from '../../lib/options.js';
import { TOP_LEVEL_KEYS } from '../../lib/option-keys.js';
import { uriDatabase } from '../../lib/store/connection.js';

const URI = 'mongodb://127.0.0.1:27017';
const ACCOUNT = { id: 'acme', secret: 'acct_test_secret_0123456789abcdef', webhookSecret: 'whsec_test_secret_0123456789abcdef' };

function thrown(fn: () => unknown): InvalidOptionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('unknown option keys', () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a top-level typo', { mongo: { uri: URI }, colectionPrefix: 'x_' }, 'colectionPrefix', /known: mongo, collectionPrefix/],
    ['a case typo in delivery', { mongo: { uri: URI }, delivery: { timeoutMS: 5000 } }, 'delivery.timeoutMS', /did you mean `delivery.timeoutMs`\?/],
    ['a snake_case limit', { mongo: { uri: URI }, limits: { body_bytes: 1024 } }, 'limits.body_bytes', /did you mean `limits.bodyBytes`\?/],
    ['a typo in mongo', { mongo: { uri: URI, dbname: 'x' } }, 'mongo.dbname', /did you mean `mongo.dbName`\?/],
    ['a typo in an account', { mongo: { uri: URI }, accounts: [{ ...ACCOUNT, webhook_secret: 'x' }] }, 'accounts[0].webhook_secret', /did you mean `accounts\[0\].webhookSecret`\?/],
    ['a typo in rateLimit', { mongo: { uri: URI }, rateLimit: { windowMS: 1000 } }, 'rateLimit.windowMS', /did you mean `rateLimit.windowMs`\?/],
    ['a typo in customerio', { mongo: { uri: URI }, customerio: { toleranceSeconds: 5 } }, 'customerio.toleranceSeconds', /unknown option/],
    ['a typo in agenda settings', { mongo: { uri: URI }, agenda: { colection: 'jobs' } }, 'agenda.colection', /unknown option/],
  ])('should throw InvalidOptionError naming %s', (_label, options, option, message) => {
    const error = thrown(() => chameleonHooks(options as Options));
    expect(error.option).toBe(option);
    expect(error.code).toBe('CH_ERR_INVALID_OPTION');
    expect(error.message).toMatch(message);
  });

  it('should know every top-level option: the keys of the parsed configuration', () => {
    expect([...TOP_LEVEL_KEYS].sort()).toEqual(Object.keys(parseOptions({ mongo: { uri: URI } })).sort());
  });

  it.each(['limits', 'delivery', 'rateLimit', 'customerio', 'batches'] as const)('should know every key of %s: the keys of its parsed configuration', (option) => {
    const parsed = parseOptions({ mongo: { uri: URI }, rateLimit: {} })[option] as object;
    expect(() => parseOptions({ mongo: { uri: URI }, [option]: { ...parsed } } as Options)).not.toThrow();
  });

  it('should ignore keys whose value is undefined, as everywhere in the options', () => {
    expect(() => parseOptions({ mongo: { uri: URI }, delivery: { timeoutMs: undefined }, ...({ typo: undefined } as object) } as Options)).not.toThrow();
  });

  it('should accept every documented key', () => {
    expect(() =>
      parseOptions({
        mongo: { uri: URI, dbName: 'x' },
        collectionPrefix: 'p_',
        accounts: [{ ...ACCOUNT, name: 'Acme' }],
        limits: { bodyBytes: 2048, batchBytes: 4096, valueBytes: 100, endpointsPerAccount: 3 },
        delivery: { timeoutMs: 100, allowHttp: true, ca: 'pem' },
        agenda: { collection: 'jobs' },
        flushIntervalMs: 100,
        rateLimit: { windowMs: 1000, limit: 5 },
        customerio: { webhookToleranceSeconds: 60 },
      }),
    ).not.toThrow();
  });
});

describe('chameleonHooks() without options', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('should take mongo from MONGODB_URI', () => {
    vi.stubEnv('MONGODB_URI', 'mongodb://127.0.0.1:1/appdb');
    expect(parseOptions().mongo).toEqual({ uri: 'mongodb://127.0.0.1:1/appdb' });
    expect(chameleonHooks().config.mongo).toEqual({ uri: 'mongodb://127.0.0.1:1/appdb' });
  });

  it('should prefer the mongo option over MONGODB_URI', () => {
    vi.stubEnv('MONGODB_URI', 'mongodb://127.0.0.1:1/env');
    expect(parseOptions({ mongo: { uri: URI } }).mongo).toEqual({ uri: URI });
  });

  it.each(['', '   '])('should name both the option and MONGODB_URI when neither is given (MONGODB_URI=%j)', (value) => {
    vi.stubEnv('MONGODB_URI', value);
    const error = thrown(() => chameleonHooks());
    expect(error.option).toBe('mongo');
    expect(error.message).toMatch(/`mongo` option/);
    expect(error.message).toMatch(/MONGODB_URI/);
  });

  it.each<[string, string | undefined]>([
    ['mongodb://a:1,b:2/app?replicaSet=rs', 'app'],
    ['mongodb+srv://user:pw@cluster.example.net/prod', 'prod'],
    ['mongodb://localhost:27017', undefined],
    ['mongodb://localhost:27017/?w=1', undefined],
  ])('should read the database of %s as %s', (uri, db) => {
    expect(uriDatabase(uri)).toBe(db);
  });
});
