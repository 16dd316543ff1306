// Ordered delivery's pure decisions: the `ordering` setting, the key a delivery is ordered under, the repair pass's choice.
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { headRepair, orderKeyOf, parseOrdering, profileOf } from '../../../../lib/delivery/ordering/order-key.js';

const endpoint = new ObjectId('65a000000000000000000001');
const profile = '5f885a88e7daf3000e3eb4f6';

describe('parseOrdering', () => {
  it('should default to none and take none or profile', () => {
    expect(parseOrdering(undefined)).toBe('none');
    expect(parseOrdering(null)).toBe('none');
    expect(parseOrdering('none')).toBe('none');
    expect(parseOrdering('profile')).toBe('profile');
  });

  it.each([['Profile'], [''], [' profile'], [0], [false], [{}], [['profile']], [{ $eq: 'profile' }]])('should refuse %j with a 422 naming the field', (value) => {
    expect(() => parseOrdering(value)).toThrow(expect.objectContaining({ code: 'CH_ERR_UNPROCESSABLE', message: '`ordering` must be one of none, profile' }));
  });
});

describe('orderKeyOf', () => {
  it('should key profile-ordered deliveries by endpoint and profile id', () => {
    expect(orderKeyOf({ id: endpoint, ordering: 'profile' }, { profile: { id: profile } })).toBe(`${endpoint.toHexString()}|${profile}`);
  });

  it('should not order for ordering none or absent', () => {
    expect(orderKeyOf({ id: endpoint, ordering: 'none' }, { profile: { id: profile } })).toBeUndefined();
    expect(orderKeyOf({ id: endpoint }, { profile: { id: profile } })).toBeUndefined();
  });

  it.each([[{}], [{ profile: null }], [{ profile: 'p1' }], [{ profile: [profile] }], [{ profile: { id: 42 } }], [{ profile: { id: '' } }], [{ profile: { uid: 'u1' } }], [{ profile: { id: 'x'.repeat(257) } }]])(
    'should not order a webhook without a usable profile id: %j',
    (data) => {
      expect(profileOf(data as Record<string, unknown>)).toBeUndefined();
      expect(orderKeyOf({ id: endpoint, ordering: 'profile' }, data as Record<string, unknown>)).toBeUndefined();
    },
  );
});

describe('headRepair', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  const headId = ObjectId.createFromTime(now.getTime() / 1000 - 60);
  const freshId = ObjectId.createFromTime(now.getTime() / 1000 - 1);

  it('should pop an ended head', () => {
    for (const state of ['succeeded', 'failed', 'cancelled', 'skipped'] as const) expect(headRepair({ state }, headId, now, 10_000)).toBe('pop');
  });

  it('should release a held head and wait for a pending one', () => {
    expect(headRepair({ state: 'pending', held: true }, headId, now, 10_000)).toBe('release');
    expect(headRepair({ state: 'pending', held: false }, headId, now, 10_000)).toBe('wait');
    expect(headRepair({ state: 'pending' }, headId, now, 10_000)).toBe('wait');
  });

  it('should drop a head with no document only once it is older than the settle time', () => {
    expect(headRepair(null, headId, now, 10_000)).toBe('pop');
    expect(headRepair(null, freshId, now, 10_000)).toBe('wait');
    expect(headRepair(null, headId, now, 120_000)).toBe('wait');
  });
});
