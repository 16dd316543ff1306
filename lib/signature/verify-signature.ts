/**
 * Constant-time verification of a received hex signature against one or more secrets (rotation).
 */
import { timingSafeEqual } from 'node:crypto';
import { DIGEST_BYTES, hmacDigest, type RawPayload } from './sign-payload.js';

/** 64 hex digits, once surrounding whitespace is trimmed and letters lower-cased. */
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * Checks a received `X-Chameleon-Signature` against the raw body, in constant time.
 *
 * - The received value may carry surrounding whitespace and upper-case hex.
 * - `secret` may be a list (current and previous secrets during a rotation); the body verifies
 *   when any of them matches. Every secret is always tried, and every comparison is a
 *   `crypto.timingSafeEqual` of two 32-byte digests, so the time taken tells nothing about which
 *   secret matched, nor how much of the signature was right.
 * - A missing, wrong-length or non-hex signature returns `false` (never throws); a malformed one
 *   still goes through the same comparisons, against a dummy digest.
 * - Secrets that are not non-empty strings are ignored; with none left the result is `false`.
 *
 * @param raw - the exact raw body bytes as received (a string is taken as its UTF-8 encoding).
 * @param signature - the header's value, as received.
 * @param secret - the webhook secret, or the list of secrets currently accepted.
 * @returns `true` when the signature matches one of the secrets.
 * @example
 * verifySignature(rawBody, req.headers['x-chameleon-signature'], [process.env.SECRET, process.env.OLD_SECRET])
 */
export function verifySignature(
  raw: RawPayload,
  signature: string | undefined | null,
  secret: string | readonly string[],
): boolean {
  if (typeof signature !== 'string') return false;
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) return false;
  const secrets = (typeof secret === 'string' ? [secret] : Array.isArray(secret) ? secret : []).filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );

  const normalized = signature.trim().toLowerCase();
  const wellFormed = HEX_SIGNATURE.test(normalized);
  const received = wellFormed ? Buffer.from(normalized, 'hex') : Buffer.alloc(DIGEST_BYTES);

  let matched = false;
  for (const key of secrets) {
    // The comparison runs first, so `||` never skips it: no early exit on the first match.
    matched = timingSafeEqual(hmacDigest(raw, key), received) || matched;
  }
  return wellFormed && matched;
}
