/**
 * Recognises MongoDB duplicate-key errors and which unique index raised them
 * (real MongoDB sets `keyPattern`; the test server only names the index in the message).
 */

/** Whether `error` is an E11000 duplicate-key error, optionally on a key containing `field`. */
export function isDuplicateKey(error: unknown, field?: string): boolean {
  const e = error as { code?: number; keyPattern?: Record<string, unknown>; message?: string } | null;
  if (!e || e.code !== 11000) return false;
  if (!field) return true;
  if (e.keyPattern) return field in e.keyPattern;
  return typeof e.message === 'string' && e.message.includes(`index: ${field}`);
}
