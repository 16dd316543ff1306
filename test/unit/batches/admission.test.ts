// Tests for lib/batches/budget.ts and lib/batches/admission.ts: the in-flight byte budget and what a body reserves.
import { describe, it, expect } from 'vitest';
import { ByteBudget } from '../../../lib/batches/budget.js';
import { reservationFor } from '../../../lib/batches/admission.js';

describe('ByteBudget', () => {
  it('should admit reservations while they fit and refuse the one that does not', () => {
    const budget = new ByteBudget(100);
    const a = budget.tryReserve(60);
    expect(a).toBeTypeOf('function');
    expect(budget.tryReserve(41)).toBeUndefined();
    expect(budget.inFlight).toBe(60);
    const b = budget.tryReserve(40);
    expect(b).toBeTypeOf('function');
    expect(budget.inFlight).toBe(100);
    a!();
    expect(budget.inFlight).toBe(40);
  });

  it('should give bytes back once however often release is called', () => {
    const budget = new ByteBudget(10);
    const release = budget.tryReserve(10)!;
    release();
    release();
    expect(budget.inFlight).toBe(0);
    expect(budget.tryReserve(10)).toBeTypeOf('function');
    expect(budget.inFlight).toBe(10);
  });
});

describe('reservationFor', () => {
  const LIMIT = 1000;
  it.each<[string, Record<string, string>, number]>([
    ['a declared length', { 'content-length': '120' }, 120],
    ['a length over the limit (refused at the limit anyway)', { 'content-length': '5000' }, LIMIT],
    ['no length (chunked)', { 'transfer-encoding': 'chunked' }, LIMIT],
    ['a gzip body (it may inflate up to the limit)', { 'content-length': '120', 'content-encoding': 'gzip' }, LIMIT],
    ['an identity encoding', { 'content-length': '120', 'content-encoding': 'identity' }, 120],
    ['a length that is not a number', { 'content-length': '12abc' }, LIMIT],
    ['a negative length', { 'content-length': '-5' }, LIMIT],
  ])('should reserve the right bytes for %s', (_label, headers, expected) => {
    expect(reservationFor(headers, LIMIT)).toBe(expected);
  });
});
