import { describe, it, expect } from 'vitest';
import { cleanProperties, cleanValue } from '../../../lib/normalize/normalize.js';
import type { CleanOptions, CleanValue, DataWarning } from '../../../lib/normalize/types.js';

const now = new Date('2029-01-01T00:00:00.000Z');
const options: CleanOptions = { valueBytes: 768, now };

/** Cleans a JSON body, as the ingest code does after removing identifiers. */
function cleanJson(json: string, opts: CleanOptions = options) {
  return cleanProperties(JSON.parse(json) as Record<string, unknown>, opts);
}

/** A plain copy, so `toStrictEqual` compares values and not `null` prototypes. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('cleanProperties: names', () => {
  it.each([
    ['user-role', 'user_role'],
    ['userRole', 'user_role'],
    ['UserRole', 'user_role'],
    ['user role', 'user_role'],
    ['Imported Leads', 'imported_leads'],
    ['ImportedLeads', 'imported_leads'],
    ['imported-leads', 'imported_leads'],
    ['Feature Announcements!', 'feature_announcements'],
  ])('should store %j as %j', (raw, name) => {
    expect(Object.keys(cleanProperties({ [raw]: 'x' }, options).props)).toEqual([name]);
  });

  it.each([
    ['id', 'id'],
    ['ID', 'id'],
    ['_id', 'id'],
    ['created_at', 'created_at'],
    ['createdAt', 'created_at'],
    ['updated_at', 'updated_at'],
    ['UpdatedAt', 'updated_at'],
    ['$set', 'set'],
    ['$where', 'where'],
    ['$', ''],
    ['__proto__', 'proto'],
  ])('should drop the reserved name %j with a reserved_name warning', (raw, prop) => {
    const result = cleanProperties({ [raw]: 'x' }, options);
    expect(Object.keys(result.props)).toEqual([]);
    expect(result.warnings).toEqual([{ prop, reason: 'reserved_name', example: raw }]);
  });

  it.each(['', '!!!', '___', '名前'])('should drop %j, which normalises to nothing, with an invalid_name warning', (raw) => {
    const result = cleanProperties({ [raw]: 'x' }, options);
    expect(Object.keys(result.props)).toEqual([]);
    expect(result.warnings).toEqual([{ prop: '', reason: 'invalid_name', example: raw }]);
  });

  it('should let the later of two names that normalise alike win', () => {
    const result = cleanProperties({ userRole: 'a', user_role: 'b', 'User Role': 'c' }, options);
    expect(plain(result.props)).toStrictEqual({ user_role: 'c' });
  });

  it('should cut a long name to 128 characters with a truncated warning', () => {
    const raw = 'n'.repeat(200);
    const result = cleanProperties({ [raw]: 1 }, options);
    expect(Object.keys(result.props)).toEqual(['n'.repeat(128)]);
    expect(result.warnings).toEqual([{ prop: 'n'.repeat(128), reason: 'truncated', example: 'n'.repeat(120) }]);
  });
});

describe('cleanProperties: values', () => {
  it('should clean every kind of value of SPEC section 4 in one body', () => {
    const result = cleanJson(
      JSON.stringify({
        a: '2029-08-21T02:46:46Z',
        b: '2029-08-21 02:46:46',
        c: '2029-08-21 02:46:46 +00:00',
        d: '2029-08-21',
        seen_at: 1881974806,
        seen_on: '1881974806',
        count: '1881974806',
        now: '$now',
        later: '+30d',
        earlier: '-2h',
        n1: '12',
        n2: '12.12',
        n3: '11.9932e5',
        yes: 'true',
        no: 'false',
        zip: '02134',
      }),
    );
    const at = new Date('2029-08-21T02:46:46Z');
    expect(result.props).toEqual({
      a: at,
      b: at,
      c: at,
      d: new Date('2029-08-21T00:00:00Z'),
      seen_at: at,
      seen_on: at,
      count: 1881974806,
      now,
      later: new Date('2029-01-31T00:00:00Z'),
      earlier: new Date('2028-12-31T22:00:00Z'),
      n1: 12,
      n2: 12.12,
      n3: 1199320,
      yes: true,
      no: false,
      zip: '02134',
    });
    expect(result.warnings).toEqual([]);
  });

  it('should leave top-level nulls out of props and list them in unset', () => {
    const result = cleanJson('{"plan":null,"score":1}');
    expect(plain(result.props)).toStrictEqual({ score: 1 });
    expect(result.unset).toEqual(['plan']);
  });

  it('should let a later null unset an earlier value of the same name, and a later value undo an unset', () => {
    expect(cleanProperties({ userRole: 'a', user_role: null }, options)).toMatchObject({ unset: ['user_role'] });
    expect(Object.keys(cleanProperties({ userRole: 'a', user_role: null }, options).props)).toEqual([]);
    const undone = cleanProperties({ userRole: null, user_role: 'b' }, options);
    expect(undone.unset).toEqual([]);
    expect(plain(undone.props)).toStrictEqual({ user_role: 'b' });
  });

  it('should skip undefined values without unsetting them', () => {
    const result = cleanProperties({ plan: undefined, score: 1 }, options);
    expect(Object.keys(result.props)).toEqual(['score']);
    expect(result.unset).toEqual([]);
  });

  it('should give an empty result for a body that is not an object', () => {
    const result = cleanProperties(null as unknown as Record<string, unknown>, options);
    expect(Object.keys(result.props)).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});

describe('cleanValue: arrays', () => {
  it.each<[string, unknown, CleanValue, string[]]>([
    ['the SPEC example', ['992', { a: 1 }], [992], ['object_in_array']],
    ['null items', [1, null, 2, null], [1, 2], []],
    ['nested arrays', ['a', ['b'], 'c'], ['a', 'c'], ['object_in_array']],
    ['mixed scalars', ['true', '12', 'x', '2029-08-21'], [true, 12, 'x', new Date('2029-08-21T00:00:00Z')], []],
    ['an empty array', [], [], []],
  ])('should clean %s', (_label, raw, expected, reasons) => {
    const warnings: DataWarning[] = [];
    expect(cleanValue('tags', raw, options, warnings)).toEqual(expected);
    expect(warnings.map((w) => w.reason)).toEqual(reasons);
  });

  it('should warn once for an array of many objects, with the array as prop', () => {
    const warnings: DataWarning[] = [];
    cleanValue('tags', Array.from({ length: 500 }, () => ({ a: 1 })), options, warnings);
    expect(warnings).toEqual([{ prop: 'tags', reason: 'object_in_array', example: '{"a":1}' }]);
  });

  it('should turn Unix seconds in an array under a time name into dates', () => {
    expect(cleanValue('logins_at', [1881974806, '1881974806'], options, [])).toEqual([
      new Date('2029-08-21T02:46:46Z'),
      new Date('2029-08-21T02:46:46Z'),
    ]);
  });

  it('should truncate each item separately and warn once', () => {
    const warnings: DataWarning[] = [];
    const value = cleanValue('notes', ['a'.repeat(1000), 'short', 'b'.repeat(1000)], { valueBytes: 10, now }, warnings);
    expect(value).toEqual(['a'.repeat(10), 'short', 'b'.repeat(10)]);
    expect(warnings.map((w) => [w.prop, w.reason])).toEqual([['notes', 'truncated']]);
  });

  it('should keep the first 1,000 items and warn truncated', () => {
    const warnings: DataWarning[] = [];
    const value = cleanValue('ids', Array.from({ length: 1500 }, (_, i) => i), options, warnings) as number[];
    expect(value).toHaveLength(1000);
    expect(value[999]).toBe(999);
    expect(warnings.map((w) => w.reason)).toEqual(['truncated']);
  });

  it('should not warn for exactly 1,000 items followed by nulls', () => {
    const warnings: DataWarning[] = [];
    const raw = [...Array.from({ length: 1000 }, (_, i) => i), null, null];
    expect(cleanValue('ids', raw, options, warnings)).toHaveLength(1000);
    expect(warnings).toEqual([]);
  });
});

describe('cleanValue: objects and levels', () => {
  it('should keep {"ok2":{"b":{"c":1}}} whole (3 levels)', () => {
    const result = cleanJson('{"uid":"1","ok2":{"b":{"c":1}}}');
    expect(plain(result.props)).toStrictEqual({ uid: 1, ok2: { b: { c: 1 } } });
    expect(result.warnings).toEqual([]);
  });

  it('should drop the level-4 object of {"deep":{"b":{"c":{"d":1}}}} with a nested_too_deep warning', () => {
    const result = cleanJson('{"uid":"1","deep":{"b":{"c":{"d":1}}}}');
    expect(plain(result.props)).toStrictEqual({ uid: 1, deep: { b: {} } });
    expect(result.warnings).toEqual([{ prop: 'deep.b.c', reason: 'nested_too_deep', example: '{"d":1}' }]);
  });

  it('should keep arrays of scalars at level 3', () => {
    expect(plain(cleanValue('a', { b: { c: ['1', 2] } }, options, []))).toStrictEqual({ b: { c: [1, 2] } });
  });

  it('should normalise keys and clean values inside objects', () => {
    const warnings: DataWarning[] = [];
    const value = cleanValue('meta', { 'Plan Name': 'pro', Seats: '12', trialEndsAt: 1881974806, Nested: { 'Is Paid': 'TRUE' } }, options, warnings);
    expect(value).toEqual({
      plan_name: 'pro',
      seats: 12,
      trial_ends_at: new Date('2029-08-21T02:46:46Z'),
      nested: { is_paid: true },
    });
    expect(warnings).toEqual([]);
  });

  it.each([
    ['$set', 'meta.set', 'reserved_name'],
    ['id', 'meta.id', 'reserved_name'],
    ['__proto__', 'meta.proto', 'reserved_name'],
    ['!!!', 'meta', 'invalid_name'],
  ])('should drop the nested key %j with a warning at %j', (key, prop, reason) => {
    const warnings: DataWarning[] = [];
    const value = cleanValue('meta', JSON.parse(`{${JSON.stringify(key)}:1,"ok":2}`), options, warnings);
    expect(plain(value)).toStrictEqual({ ok: 2 });
    expect(warnings).toEqual([{ prop, reason, example: key }]);
  });

  it('should drop null values inside objects without a warning', () => {
    const warnings: DataWarning[] = [];
    expect(plain(cleanValue('meta', { a: null, b: 1 }, options, warnings))).toStrictEqual({ b: 1 });
    expect(warnings).toEqual([]);
  });

  it('should truncate each object value separately, with dotted paths', () => {
    const warnings: DataWarning[] = [];
    const value = cleanValue('meta', { a: 'x'.repeat(20), b: { c: 'y'.repeat(20) } }, { valueBytes: 5, now }, warnings);
    expect(plain(value)).toStrictEqual({ a: 'xxxxx', b: { c: 'yyyyy' } });
    expect(warnings.map((w) => w.prop)).toEqual(['meta.a', 'meta.b.c']);
  });

  it('should return undefined for a top-level null so the caller may unset it', () => {
    expect(cleanValue('plan', null, options, [])).toBeUndefined();
  });

  it('should handle an array nested 100,000 levels deep without recursing into it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const warnings: DataWarning[] = [];
    expect(cleanValue('deep', deep, options, warnings)).toEqual([]);
    expect(warnings).toEqual([{ prop: 'deep', reason: 'object_in_array', example: '['.repeat(120) }]);
  });

  it('should handle an object nested 101 levels deep by dropping level 4', () => {
    let deep: Record<string, unknown> = { end: 1 };
    for (let i = 0; i < 101; i++) deep = { k: deep };
    const warnings: DataWarning[] = [];
    expect(plain(cleanValue('deep', deep, options, warnings))).toStrictEqual({ k: {} });
    expect(warnings.map((w) => [w.prop, w.reason])).toEqual([['deep.k.k', 'nested_too_deep']]);
  });

  it('should parse and clean a 100,000-deep JSON object body', () => {
    const json = `{"deep":${'{"k":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    const result = cleanJson(json);
    expect(plain(result.props)).toStrictEqual({ deep: { k: {} } });
    expect(result.warnings.map((w) => w.prop)).toEqual(['deep.k.k']);
  });
});
