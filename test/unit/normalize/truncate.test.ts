import { describe, it, expect } from 'vitest';
import { cutChars, truncateUtf8, utf8CutIndex } from '../../../lib/normalize/truncate.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('truncateUtf8', () => {
  it.each([
    ['ascii shorter than the limit', 'hello', 8, 'hello', false],
    ['ascii at the limit', 'hello', 5, 'hello', false],
    ['ascii over the limit', 'hello', 3, 'hel', true],
    ['é (2 bytes) straddling the limit', 'aé', 2, 'a', true],
    ['é (2 bytes) ending at the limit', 'aé', 3, 'aé', false],
    ['€ (3 bytes) straddling the limit', 'ab€', 4, 'ab', true],
    ['€ (3 bytes) ending at the limit', 'ab€', 5, 'ab€', false],
    ['an emoji (4 bytes) straddling the limit', 'a😀b', 4, 'a', true],
    ['an emoji (4 bytes) ending at the limit', 'a😀b', 5, 'a😀', true],
    ['a zero limit', 'abc', 0, '', true],
    ['a negative limit', 'abc', -5, '', true],
    ['an empty string', '', 0, '', false],
    ['a lone high surrogate (3 bytes as U+FFFD)', 'a\ud800b', 4, 'a\ud800', true],
  ])('should handle %s', (_label, input, max, value, truncated) => {
    expect(truncateUtf8(input, max)).toEqual({ value, truncated });
  });

  it('should cut a 768-byte limit at the 768th byte when it falls on a character boundary', () => {
    const result = truncateUtf8('x'.repeat(1000), 768);
    expect(result.value).toHaveLength(768);
    expect(result.truncated).toBe(true);
  });

  it.each([
    ['é', 2],
    ['€', 3],
    ['😀', 4],
  ])('should never split %j at any offset of a 768-byte limit', (char, size) => {
    for (let pad = 0; pad < size; pad++) {
      const input = 'a'.repeat(pad) + char.repeat(800);
      const { value, truncated } = truncateUtf8(input, 768);
      expect(truncated).toBe(true);
      expect(bytes(value)).toBeLessThanOrEqual(768);
      expect(bytes(value)).toBeGreaterThan(768 - size);
      expect(value.endsWith(char)).toBe(true);
      expect(Buffer.from(value, 'utf8').toString('utf8')).toBe(value);
    }
  });
});

describe('utf8CutIndex', () => {
  it('should say -1 when the string fits', () => {
    expect(utf8CutIndex('€€', 6)).toBe(-1);
  });

  it('should give the cut index in code units', () => {
    expect(utf8CutIndex('€€', 5)).toBe(1);
  });
});

describe('cutChars', () => {
  it.each([
    ['abcdef', 3, 'abc'],
    ['abc', 3, 'abc'],
    ['a😀', 2, 'a'],
    ['a😀b', 3, 'a😀'],
  ])('should cut %j to %d code units as %j', (input, max, expected) => {
    expect(cutChars(input, max)).toBe(expected);
  });
});
