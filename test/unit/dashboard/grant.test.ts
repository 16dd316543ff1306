// Tests for lib/dashboard/grant.ts: what authorize returned, read into a grant or a problem.
import { describe, it, expect } from 'vitest';
import { grantShape, isGrantProblem, readGrant } from '../../../lib/dashboard/grant.js';

describe('readGrant', () => {
  it.each([
    [{ accountId: 'acme', role: 'admin' }, { accountId: 'acme', role: 'admin' }],
    [{ accountId: 'acme', role: 'viewer', accounts: 'all' }, { accountId: 'acme', role: 'viewer', accounts: 'all' }],
    [{ accountId: 'acme', role: 'viewer', extra: 'ignored' }, { accountId: 'acme', role: 'viewer' }],
  ])('should read %j as a grant, keeping only its fields', (value, expected) => {
    expect(readGrant(value)).toEqual(expected);
  });

  it.each([
    [42, 'not number'],
    ['admin', 'not string'],
    [false, 'not boolean'],
    [[], 'not an array'],
    [{}, '`accountId`'],
    [{ accountId: '', role: 'admin' }, '`accountId`'],
    [{ accountId: ['acme'], role: 'admin' }, '`accountId`'],
    [{ accountId: 'acme', role: 'root' }, '`role`'],
    [{ accountId: 'acme', role: 'admin', accounts: 'ALL' }, '`accounts`'],
  ])('should name the problem with %j', (value, problem) => {
    const read = readGrant(value);
    expect(isGrantProblem(read)).toBe(true);
    expect((read as { problem: string }).problem).toContain(problem);
  });

  it('should read each field once (a getter is not asked twice) and survive one that throws', () => {
    let reads = 0;
    const flipping = { accountId: 'acme', get role() { reads += 1; return reads === 1 ? 'viewer' : 'admin'; } };
    expect(readGrant(flipping)).toEqual({ accountId: 'acme', role: 'viewer' });
    expect(reads).toBe(1);
    const throwing = { get accountId(): string { throw new Error('no'); } };
    expect(readGrant(throwing)).toEqual({ problem: 'reading the grant threw' });
  });
});

describe('grantShape', () => {
  it('should describe a value by its type and key names, never its values', () => {
    expect(grantShape({ accountId: 'acme', token: 'secret-value' })).toEqual({ type: 'object', keys: ['accountId', 'token'] });
    expect(grantShape('secret-value')).toEqual({ type: 'string' });
    expect(grantShape([1])).toEqual({ type: 'array' });
    expect(grantShape(null)).toEqual({ type: 'null' });
    expect(JSON.stringify(grantShape({ a: 'secret-value' }))).not.toContain('secret-value');
  });
});
