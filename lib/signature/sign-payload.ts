/**
 * Signing: the hex HMAC-SHA256 of the exact raw body bytes, keyed with the secret's UTF-8 bytes.
 */
import { createHmac } from 'node:crypto';

/** The raw body of a webhook: a string is taken as its UTF-8 encoding, bytes are taken as they are. */
export type RawPayload = string | Buffer | Uint8Array;

/** The length in bytes of an HMAC-SHA256 digest (64 hex characters). */
export const DIGEST_BYTES = 32;

/**
 * The raw HMAC-SHA256 digest (32 bytes) of `raw`, keyed with the UTF-8 bytes of `secret`.
 * Shared by {@link signPayload} and the verifier so both hash exactly the same bytes.
 *
 * @internal
 */
export function hmacDigest(raw: RawPayload, secret: string): Buffer {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(bytes).digest();
}

/**
 * Signs a webhook body the way every attempt is signed: the lower-case hex HMAC-SHA256 of the
 * exact bytes that go on the wire, keyed with the account's webhook secret. It agrees byte for
 * byte with the receivers' recipes (Node `createHmac('sha256', secret).update(rawBody).digest('hex')`,
 * Python `hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()`,
 * Rails `OpenSSL::HMAC.hexdigest('SHA256', secret, request.raw_post)`).
 *
 * Sign the serialised string you send, never an object re-serialised later: the receiver hashes
 * the bytes it receives.
 *
 * @param raw - the body; a string is hashed as its UTF-8 encoding.
 * @param secret - the account's webhook secret (a non-empty string).
 * @returns 64 lower-case hex characters, the value of `X-Chameleon-Signature`.
 * @throws TypeError when `secret` is not a non-empty string, or `raw` is not a string or bytes.
 * @example
 * signPayload('what do ya want for nothing?', 'Jefe')
 * // '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' (RFC 4231, case 2)
 */
export function signPayload(raw: RawPayload, secret: string): string {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError('signPayload: `secret` must be a non-empty string');
  }
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) {
    throw new TypeError('signPayload: `raw` must be a string, a Buffer or a Uint8Array');
  }
  return hmacDigest(raw, secret).toString('hex');
}
