// Tests for lib/verify/options.ts: defaults, and construction-time rejection of bad options.
import { describe, it, expect } from 'vitest';
import { InvalidVerifyOptionError, VERIFY_DEFAULTS, verifyChameleonWebhook } from '../../../lib/verify/index.js';
import { parseVerifyOptions } from '../../../lib/verify/options.js';

describe('parseVerifyOptions', () => {
  it('should fill in the defaults: 300 s tolerance, 1 MiB body, the real clock', () => {
    const config = parseVerifyOptions({ secret: 's' });
    expect(config).toMatchObject({ secrets: ['s'], toleranceSeconds: 300, maxBodyBytes: 1_048_576 });
    expect(config.now).toBe(VERIFY_DEFAULTS.now);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.secrets)).toBe(true);
  });

  it('should treat an explicit undefined as the default, and keep an explicit 0', () => {
    expect(parseVerifyOptions({ secret: 's', toleranceSeconds: undefined }).toleranceSeconds).toBe(300);
    expect(parseVerifyOptions({ secret: 's', toleranceSeconds: 0 }).toleranceSeconds).toBe(0);
    expect(parseVerifyOptions({ secret: 's', toleranceSeconds: Infinity }).toleranceSeconds).toBe(Infinity);
  });

  it('should copy the list of secrets, so later changes to the caller’s array do not apply', () => {
    const secrets = ['a', 'b'];
    const config = parseVerifyOptions({ secret: secrets });
    secrets.push('c');
    expect(config.secrets).toEqual(['a', 'b']);
  });

  it.each<[string, Record<string, unknown>]>([
    ['secret', {}],
    ['secret', { secret: '' }],
    ['secret', { secret: [] }],
    ['secret', { secret: ['ok', ''] }],
    ['secret', { secret: 42 }],
    ['toleranceSeconds', { secret: 's', toleranceSeconds: -1 }],
    ['toleranceSeconds', { secret: 's', toleranceSeconds: Number.NaN }],
    ['toleranceSeconds', { secret: 's', toleranceSeconds: '300' }],
    ['maxBodyBytes', { secret: 's', maxBodyBytes: 0 }],
    ['maxBodyBytes', { secret: 's', maxBodyBytes: 1.5 }],
    ['now', { secret: 's', now: 'now' }],
  ])('should reject a bad %s (%j) at construction', (option, options) => {
    const build = (): unknown => verifyChameleonWebhook(options as never);
    expect(build).toThrow(InvalidVerifyOptionError);
    expect(build).toThrow(expect.objectContaining({ option, name: 'InvalidVerifyOptionError' }) as Error);
  });
});
