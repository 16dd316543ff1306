import { describe, it, expect } from 'vitest';
import * as rules from '../../../lib/normalize/rules.js';

describe('the rules table', () => {
  it('should reserve exactly id, _id, created_at and updated_at', () => {
    expect([...rules.RESERVED_NAMES].sort()).toEqual(['_id', 'created_at', 'id', 'updated_at']);
  });

  it('should list the time suffixes of SPEC section 4', () => {
    expect(rules.TIME_SUFFIXES).toEqual(['_at', '_on', '_date', '_time']);
  });

  it.each([
    ['s', 1000],
    ['m', 60_000],
    ['h', 3_600_000],
    ['d', 86_400_000],
    ['w', 604_800_000],
  ])('should give unit %s %d ms', (unit, ms) => {
    expect(rules.TIME_UNIT_MS[unit]).toBe(ms);
  });

  it('should hold the limits of SPEC section 4 and the brief', () => {
    expect({
      name: rules.NAME_MAX_LENGTH,
      levels: rules.MAX_LEVELS,
      items: rules.MAX_ARRAY_ITEMS,
      example: rules.EXAMPLE_MAX_CHARS,
    }).toEqual({ name: 128, levels: 3, items: 1000, example: 120 });
  });

  it('should hold no stateful (global or sticky) regular expression used with test or exec', () => {
    for (const re of [rules.NORMALISED_NAME_RE, rules.NON_ASCII_RE, rules.TIMESTAMP_RE, rules.NUMBER_RE, rules.RELATIVE_TIME_RE]) {
      expect(re.global || re.sticky).toBe(false);
    }
  });
});
