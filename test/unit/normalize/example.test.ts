import { describe, it, expect } from 'vitest';
import { exampleOf } from '../../../lib/normalize/example.js';

describe('exampleOf', () => {
  it.each([
    ['a string as it is', 'hello', 'hello'],
    ['an object as JSON', { d: 1 }, '{"d":1}'],
    ['an array as JSON', [1, 'a', null, true], '[1,"a",null,true]'],
    ['a nested value', { a: [1, { b: 2 }] }, '{"a":[1,{"b":2}]}'],
    ['a date as ISO', new Date('2029-08-21T02:46:46Z'), '2029-08-21T02:46:46.000Z'],
    ['a bigint', 12n, '12'],
  ])('should show %s', (_label, value, expected) => {
    expect(exampleOf(value)).toBe(expected);
  });

  it('should cut a long string to 120 characters', () => {
    expect(exampleOf('x'.repeat(500))).toBe('x'.repeat(120));
  });

  it('should cut a large object to 120 characters', () => {
    const big = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`key${i}`, 'v'.repeat(50)]));
    const example = exampleOf(big);
    expect(example).toHaveLength(120);
    expect(example.startsWith('{"key0":"vvv')).toBe(true);
  });

  it('should honour a smaller maximum', () => {
    expect(exampleOf([[[[[[1]]]]]], 4)).toBe('[[[[');
  });

  it('should handle an array nested 100,000 levels deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(exampleOf(deep)).toBe('['.repeat(120));
  });

  it('should ignore inherited keys', () => {
    const child = Object.create({ inherited: 1 }) as Record<string, unknown>;
    child.own = 2;
    expect(exampleOf(child)).toBe('{"own":2}');
  });
});
