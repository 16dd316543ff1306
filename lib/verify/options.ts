/**
 * The verifier's defaults, its complete frozen `VerifyConfig`, and the one function that checks and completes options.
 */
import { InvalidVerifyOptionError } from './invalid-verify-option-error.js';
import type { VerifyChameleonWebhookOptions } from './types.js';

/** The verifier's defaults. */
export const VERIFY_DEFAULTS = Object.freeze({
  toleranceSeconds: 300,
  maxBodyBytes: 1024 * 1024,
  now: (): Date => new Date(),
});

/** The complete, frozen configuration the verifier works with. @internal */
export interface VerifyConfig {
  readonly secrets: readonly string[];
  readonly toleranceSeconds: number;
  readonly maxBodyBytes: number;
  readonly now: () => Date;
}

/**
 * Checks the options once and fills in the defaults (an explicit `undefined` means the default).
 *
 * @throws InvalidVerifyOptionError naming the first bad option.
 * @internal
 */
export function parseVerifyOptions(options: VerifyChameleonWebhookOptions): VerifyConfig {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidVerifyOptionError('options', 'expected an object with at least `secret`');
  }
  const { secret, toleranceSeconds, maxBodyBytes, now } = options;

  const secrets = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? [...(secret as readonly unknown[])] : [];
  if (secrets.length === 0 || !secrets.every((s): s is string => typeof s === 'string' && s.length > 0)) {
    throw new InvalidVerifyOptionError('secret', 'expected a non-empty string or a non-empty list of non-empty strings');
  }
  if (toleranceSeconds !== undefined && (typeof toleranceSeconds !== 'number' || !(toleranceSeconds >= 0))) {
    throw new InvalidVerifyOptionError('toleranceSeconds', 'expected a number of seconds >= 0 (or Infinity)');
  }
  if (maxBodyBytes !== undefined && !(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    throw new InvalidVerifyOptionError('maxBodyBytes', 'expected a positive integer number of bytes');
  }
  if (now !== undefined && typeof now !== 'function') {
    throw new InvalidVerifyOptionError('now', 'expected a function returning a Date');
  }

  return Object.freeze({
    secrets: Object.freeze(secrets),
    toleranceSeconds: toleranceSeconds ?? VERIFY_DEFAULTS.toleranceSeconds,
    maxBodyBytes: maxBodyBytes ?? VERIFY_DEFAULTS.maxBodyBytes,
    now: now ?? VERIFY_DEFAULTS.now,
  });
}
