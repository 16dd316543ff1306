import { describe, it, expect } from 'vitest';
import { cleanScalar, convertString } from '../../../lib/normalize/values.js';
import type { CleanOptions, DataWarning } from '../../../lib/normalize/types.js';

const now = new Date('2029-01-01T00:00:00.000Z');
const options: CleanOptions = { valueBytes: 768, now };

function clean(value: unknown, name = 'prop', valueBytes = 768): { value: unknown; warnings: DataWarning[] } {
  const warnings: DataWarning[] = [];
  return { value: cleanScalar(value, name, name, { valueBytes, now }, warnings), warnings };
}

describe('cleanScalar with strings', () => {
  it.each([
    // SPEC section 4: timestamps
    ['2029-08-21T02:46:46Z', new Date('2029-08-21T02:46:46Z')],
    ['2029-08-21 02:46:46', new Date('2029-08-21T02:46:46Z')],
    ['2029-08-21 02:46:46 +00:00', new Date('2029-08-21T02:46:46Z')],
    ['2029-08-21', new Date('2029-08-21T00:00:00Z')],
    ['2029-08-21T02:46:46.250+02:00', new Date('2029-08-21T00:46:46.250Z')],
    // server time and relative times
    ['$now', now],
    ['+30d', new Date('2029-01-31T00:00:00Z')],
    ['-2h', new Date('2028-12-31T22:00:00Z')],
    // numbers
    ['12', 12],
    ['12.12', 12.12],
    ['11.9932e5', 1199320],
    ['-7', -7],
    ['1881974806', 1881974806],
    // booleans
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['False', false],
    // strings that stay strings
    ['2029-02-31', '2029-02-31'],
    ['02134', '02134'],
    ['9007199254740993', '9007199254740993'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['0x1F', '0x1F'],
    ['', ''],
    [' 12', ' 12'],
    ['12 ', '12 '],
    [' true', ' true'],
    ['yes', 'yes'],
    ['truth', 'truth'],
    ['$now ', '$now '],
    ['$NOW', '$NOW'],
    ['$other', '$other'],
    ['+30', '+30'],
    ['-', '-'],
    ['hello', 'hello'],
  ])('should clean %j to %o', (raw, expected) => {
    expect(clean(raw).value).toEqual(expected);
  });

  it('should return a fresh date for "$now", not the caller\'s object', () => {
    const value = clean('$now').value;
    expect(value).toEqual(now);
    expect(value).not.toBe(now);
  });

  it.each([
    ['1881974806', 'last_seen_at'],
    ['1881974806', 'trial_ends_on'],
    ['1881974806', 'renewal_date'],
    ['1881974806', 'start_time'],
    [1881974806, 'last_seen_at'],
  ])('should turn Unix seconds %j under the time name %j into a date', (raw, name) => {
    expect(clean(raw, name).value).toEqual(new Date('2029-08-21T02:46:46Z'));
  });

  it.each([
    ['1881974806', 'score', 1881974806],
    [1881974806, 'score', 1881974806],
    ['02134', 'seen_at', '02134'],
    [1e300, 'seen_at', 1e300],
  ])('should not turn %j under %j into a date', (raw, name, expected) => {
    expect(clean(raw, name).value).toEqual(expected);
  });

  it('should not convert strings longer than 64 characters, even numeric ones', () => {
    const digits = `0.${'1'.repeat(70)}`;
    expect(clean(digits).value).toBe(digits);
  });
});

describe('cleanScalar with other types', () => {
  it.each([
    [42, 42],
    [-1.5, -1.5],
    [true, true],
    [false, false],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
    [10n, '10'],
    [Symbol('s'), 'Symbol(s)'],
    [new Date('2029-08-21T02:46:46Z'), new Date('2029-08-21T02:46:46Z')],
    [new Date(Number.NaN), 'Invalid Date'],
    [null, undefined],
    [undefined, undefined],
  ])('should clean %o to %o', (raw, expected) => {
    expect(clean(raw).value).toEqual(expected);
  });

  it('should store a function as a string', () => {
    expect(typeof clean(() => 1).value).toBe('string');
  });

  it('should copy a date rather than share it', () => {
    const date = new Date('2029-08-21T02:46:46Z');
    expect(clean(date).value).not.toBe(date);
  });
});

describe('cleanScalar limits', () => {
  it('should truncate a long string to valueBytes and warn', () => {
    const { value, warnings } = clean('é'.repeat(500), 'bio');
    expect(value).toBe('é'.repeat(384));
    expect(warnings).toEqual([{ prop: 'bio', reason: 'truncated', example: 'é'.repeat(120) }]);
  });

  it('should honour a custom valueBytes', () => {
    expect(clean('abcdef', 'bio', 4).value).toBe('abcd');
  });

  it('should not warn for a string that fits', () => {
    const { value, warnings } = clean('x'.repeat(768), 'bio');
    expect(value).toHaveLength(768);
    expect(warnings).toEqual([]);
  });

  it('should truncate the string form of a bigint too', () => {
    const { value, warnings } = clean(10n ** 100n, 'n', 10);
    expect(value).toBe('1000000000');
    expect(warnings.map((w) => w.reason)).toEqual(['truncated']);
  });
});

describe('convertString', () => {
  it.each([
    ['hello', undefined],
    ['true', true],
    ['12', 12],
  ])('should convert %j to %o', (raw, expected) => {
    expect(convertString(raw, 'prop', options.now)).toBe(expected);
  });
});
