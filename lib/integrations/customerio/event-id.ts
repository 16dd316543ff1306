/**
 * The `id` of an event sent to Customer.io: a ULID that is the same on every attempt of one
 * delivery, so Customer.io drops a retried send it already has. Hand-written (a dozen lines)
 * because the ULID packages generate random ids; this one is derived, not random.
 */
import { hash } from 'node:crypto';

/** Crockford's base32 alphabet, as the ULID spec uses. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The 48-bit time as the ULID's first 10 characters (plain numbers: 2^48 is exact in a double). */
function encodeTime(ms: number): string {
  let out = '';
  for (let i = 9; i >= 0; i--) out += ALPHABET[Math.floor(ms / 32 ** i) % 32];
  return out;
}

/** 80 bits (20 hex digits) as 16 base32 characters, 5 bits each, most significant first. */
function encodeHex80(hex: string): string {
  let out = '';
  // Four 20-bit pieces (5 hex digits each), each exactly four characters.
  for (let piece = 0; piece < 4; piece++) {
    const bits = parseInt(hex.slice(piece * 5, piece * 5 + 5), 16);
    for (let i = 3; i >= 0; i--) out += ALPHABET[(bits >>> (i * 5)) & 31];
  }
  return out;
}

/**
 * A deterministic ULID: 48 bits of `time` (ms) and 80 bits of SHA-256 over the webhook and
 * destination ids, so it sorts by the activity's time and is unique per (webhook, destination).
 * Made once per Customer.io send: one-shot hashing and number arithmetic, no BigInt.
 *
 * @example
 * eventUlid('65a1…', '65b2…', new Date('2026-11-27T12:00:00Z')) // '01KB…' (26 characters), the same every call
 */
export function eventUlid(webhookId: string, destinationId: string, time: Date): string {
  const ms = Math.max(0, Math.min(time.getTime(), 2 ** 48 - 1));
  return encodeTime(ms) + encodeHex80(hash('sha256', `${webhookId}:${destinationId}`, 'hex').slice(0, 20));
}
