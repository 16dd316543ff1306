import { describe, it, expect } from 'vitest';
import { fromUnixSeconds, parseRelativeTime, parseTimestamp } from '../../../lib/normalize/dates.js';

describe('parseTimestamp', () => {
  it.each([
    // SPEC section 4
    ['2029-08-21T02:46:46Z', '2029-08-21T02:46:46.000Z'],
    ['2029-08-21 02:46:46', '2029-08-21T02:46:46.000Z'],
    ['2029-08-21 02:46:46 +00:00', '2029-08-21T02:46:46.000Z'],
    ['2029-08-21', '2029-08-21T00:00:00.000Z'],
    // offsets, fractions, shorter times
    ['2029-08-21T02:46:46+02:00', '2029-08-21T00:46:46.000Z'],
    ['2029-08-21T02:46:46-0530', '2029-08-21T08:16:46.000Z'],
    ['2029-08-21T02:46:46+02', '2029-08-21T00:46:46.000Z'],
    ['2029-08-21T02:46:46.123Z', '2029-08-21T02:46:46.123Z'],
    ['2029-08-21T02:46:46.5Z', '2029-08-21T02:46:46.500Z'],
    ['2029-08-21T02:46:46.123456789Z', '2029-08-21T02:46:46.123Z'],
    ['2029-08-21T02:46:46.123+01:00', '2029-08-21T01:46:46.123Z'],
    ['2029-08-21T02:46', '2029-08-21T02:46:00.000Z'],
    ['2029-08-21t02:46:46z', '2029-08-21T02:46:46.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
  ])('should parse %j as %s', (raw, iso) => {
    expect(parseTimestamp(raw)?.toISOString()).toBe(iso);
  });

  it('should take years below 100 literally', () => {
    expect(parseTimestamp('0042-03-04')?.getUTCFullYear()).toBe(42);
    expect(parseTimestamp('0004-02-29')?.getUTCDate()).toBe(29);
  });

  it.each([
    '2029-02-31',
    '2029-02-29',
    '1900-02-29',
    '2029-13-01',
    '2029-00-10',
    '2029-08-00',
    '2029-08-21T24:00:00Z',
    '2029-08-21T02:60:00Z',
    '2029-08-21T02:46:60Z',
    '2029-08-21T02:46:46+24:00',
    '2029-08-21T02:46:46+02:60',
    '2029-08-21 ',
    '2029-08-21T02:46:46 ',
    ' 2029-08-21',
    '2029-8-21',
    '21-08-2029',
    '2029-08-21Z',
    '2029-08-21T02',
    'not a date',
  ])('should not take %j for a timestamp', (raw) => {
    expect(parseTimestamp(raw)).toBeUndefined();
  });
});

describe('fromUnixSeconds', () => {
  it.each([
    [1881974806, '2029-08-21T02:46:46.000Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    [1881974806.5, '2029-08-21T02:46:46.500Z'],
    [-86400, '1969-12-31T00:00:00.000Z'],
  ])('should turn %d seconds into %s', (seconds, iso) => {
    expect(fromUnixSeconds(seconds)?.toISOString()).toBe(iso);
  });

  it.each([1e300, -1e300, 8.64e12 + 1])('should give undefined for %d seconds, beyond the range of a Date', (seconds) => {
    expect(fromUnixSeconds(seconds)).toBeUndefined();
  });
});

describe('parseRelativeTime', () => {
  const now = new Date('2029-01-01T00:00:00.000Z');

  it.each([
    ['+30d', '2029-01-31T00:00:00.000Z'],
    ['-2h', '2028-12-31T22:00:00.000Z'],
    ['+90s', '2029-01-01T00:01:30.000Z'],
    ['-15m', '2028-12-31T23:45:00.000Z'],
    ['+2w', '2029-01-15T00:00:00.000Z'],
    ['+0d', '2029-01-01T00:00:00.000Z'],
  ])('should turn %j into %s', (raw, iso) => {
    expect(parseRelativeTime(raw, now)?.toISOString()).toBe(iso);
  });

  it.each(['30d', '+30', '+30y', '+30D', '+ 30d', '+30d ', '+-3d', '+1.5d', '+9999999999d'])(
    'should not take %j for a relative time',
    (raw) => {
      expect(parseRelativeTime(raw, now)).toBeUndefined();
    },
  );

  it('should give undefined when the result is beyond the range of a Date', () => {
    expect(parseRelativeTime('+999999999w', now)).toBeUndefined();
  });
});

describe('parseTimestamp against Date.UTC', () => {
  it('should agree with Date.UTC on 2,000 pseudo-random timestamps from 0100 to 9999', () => {
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pad = (n: number, width: number): string => String(n).padStart(width, '0');
    for (let k = 0; k < 2000; k++) {
      const [y, mo, d, h, mi, s, ms] = [100 + next(9900), 1 + next(12), 1 + next(28), next(24), next(60), next(60), next(1000)];
      const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`;
      expect(parseTimestamp(text)?.getTime(), text).toBe(Date.UTC(y, mo - 1, d, h, mi, s, ms));
    }
  });
});
