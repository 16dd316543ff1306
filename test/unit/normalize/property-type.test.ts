import { describe, it, expect } from 'vitest';
import { propertyType } from '../../../lib/normalize/property-type.js';
import type { CleanValue, PropertyType } from '../../../lib/normalize/types.js';

describe('propertyType', () => {
  it.each<[CleanValue, PropertyType]>([
    ['a', 'string'],
    ['', 'string'],
    [0, 'number'],
    [1.5, 'number'],
    [false, 'boolean'],
    [new Date(0), 'date'],
    [[], 'array'],
    [[1, 'a'], 'array'],
    [{ a: 1 }, 'object'],
    [Object.create(null) as Record<string, CleanValue>, 'object'],
  ])('should type %o as %s', (value, expected) => {
    expect(propertyType(value)).toBe(expected);
  });
});
