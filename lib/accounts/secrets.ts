/**
 * Secret generation and hashing. Account secrets are only ever compared, so only their
 * SHA-256 is stored; looking up by hash means the lookup time never depends on how much
 * of a guessed secret is right.
 */
import { hash, randomBytes } from 'node:crypto';

/** A new random secret with a readable prefix, e.g. `acct_…` or `whsec_…` (256 bits). */
export function generateSecret(prefix: 'acct' | 'whsec'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** The stored form of an account secret. */
export function hashSecret(secret: string): string {
  // The one-shot `crypto.hash` (Node 20.12+): about 4× cheaper than createHash().update().digest(), once per request.
  return hash('sha256', secret, 'hex');
}
