/**
 * Stored integration secrets: sealed with AES-256-GCM (`node:crypto`) under the host's
 * `secretsKey`, or kept in clear when the host gives none. A sealed secret is bound to where
 * it belongs (the account and the field, as additional authenticated data), so a ciphertext
 * copied into another account or field does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ChameleonError } from '../errors.js';

/** A secret as stored: sealed, or in clear (no `secretsKey`). */
export type StoredSecret =
  | { alg: 'aes-256-gcm'; iv: string; tag: string; data: string }
  | { alg: 'none'; value: string };

const IV_BYTES = 12;

/**
 * Seals `secret` for storage: AES-256-GCM with a random 96-bit IV and `context` (e.g.
 * `acme|customerio|api_key`) as additional authenticated data; without a key, the clear value.
 *
 * @example
 * const stored = sealSecret('sk_live_…', key, 'acme|customerio|api_key');
 * openSecret(stored, key, 'acme|customerio|api_key'); // 'sk_live_…'
 */
export function sealSecret(secret: string, key: Buffer | undefined, context: string): StoredSecret {
  if (!key) return { alg: 'none', value: secret };
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return { alg: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/**
 * Opens a stored secret.
 * @throws ChameleonError (`CH_ERR_INTERNAL`) when it is sealed and the key is missing or
 * wrong, or the stored value was altered; the message never contains the secret.
 */
export function openSecret(stored: StoredSecret, key: Buffer | undefined, context: string): string {
  if (stored.alg === 'none') return stored.value;
  if (!key) throw new ChameleonError('CH_ERR_INTERNAL', 'A stored secret is encrypted but no `secretsKey` option is set');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(stored.iv, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(stored.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(stored.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new ChameleonError('CH_ERR_INTERNAL', 'A stored secret cannot be decrypted with the configured `secretsKey` (a different key, or altered data)');
  }
}

/** Whether a stored secret is sealed (encrypted at rest). */
export function isSealed(stored: StoredSecret | null | undefined): boolean {
  return stored?.alg === 'aes-256-gcm';
}
