/**
 * The `id` of an event sent to Customer.io: a ULID that is the same on every attempt of one
 * delivery, so Customer.io drops a retried send it already has. Hand-written (a dozen lines)
 * because the ULID packages generate random ids; this one is derived, not random.
 */
import { createHash } from 'node:crypto';

/** Crockford's base32 alphabet, as the ULID spec uses. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Encodes `bits` (a bigint of `length * 5` bits) as `length` base32 characters. */
function encode(bits: bigint, length: number): string {
  let out = '';
  for (let i = length - 1; i >= 0; i--) out += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return out;
}

/**
 * A deterministic ULID: 48 bits of `time` (ms) and 80 bits of SHA-256 over the webhook and
 * destination ids, so it sorts by the activity's time and is unique per (webhook, destination).
 *
 * @example
 * eventUlid('65a1…', '65b2…', new Date('2026-11-27T12:00:00Z')) // '01KB…' (26 characters), the same every call
 */
export function eventUlid(webhookId: string, destinationId: string, time: Date): string {
  const ms = BigInt(Math.max(0, Math.min(time.getTime(), 2 ** 48 - 1)));
  const digest = createHash('sha256').update(`${webhookId}:${destinationId}`).digest();
  const random = BigInt(`0x${digest.subarray(0, 10).toString('hex')}`);
  return encode(ms, 10) + encode(random, 16);
}
