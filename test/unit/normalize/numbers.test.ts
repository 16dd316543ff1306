import { describe, it, expect } from 'vitest';
import { parseNumber } from '../../../lib/normalize/numbers.js';

describe('parseNumber', () => {
  it.each([
    // SPEC section 4
    ['12', 12],
    ['12.12', 12.12],
    ['11.9932e5', 1199320],
    // more
    ['0', 0],
    ['0.5', 0.5],
    ['-12', -12],
    ['-0.25', -0.25],
    ['1e5', 100000],
    ['1E-3', 0.001],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    ['1881974806', 1881974806],
    ['123456789.123456', 123456789.123456],
    ['1.500000000000000000', 1.5],
    ['0.000000000000000000001', 1e-21],
    ['1e300', 1e300],
  ])('should convert %j to %d', (raw, expected) => {
    expect(parseNumber(raw)).toBe(expected);
  });

  it.each([
    ['02134', 'a leading zero'],
    ['007', 'leading zeros'],
    ['9007199254740993', 'beyond MAX_SAFE_INTEGER'],
    ['12345678901234567890', 'beyond MAX_SAFE_INTEGER'],
    ['0.1234567890123456789', 'more than 15 significant digits'],
    ['1e400', 'overflow to Infinity'],
    ['1e-400', 'underflow to 0'],
    ['-0', 'negative zero'],
    ['Infinity', 'not a decimal'],
    ['-Infinity', 'not a decimal'],
    ['NaN', 'not a decimal'],
    ['0x1F', 'hex'],
    ['+12', 'an explicit plus sign'],
    ['', 'empty'],
    [' 12', 'leading space'],
    ['12 ', 'trailing space'],
    ['.5', 'no integer part'],
    ['5.', 'no fraction digits'],
    ['1,000', 'a thousands separator'],
    ['12abc', 'trailing text'],
  ])('should keep %j a string (%s)', (raw) => {
    expect(parseNumber(raw)).toBeUndefined();
  });
});
