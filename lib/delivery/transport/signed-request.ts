/**
 * Builds one attempt's request exactly as documented: body `{id, kind, sent_at, data}` with a
 * fresh `sent_at`, signed over the exact body bytes with the account's webhook secret, in the
 * endpoint's signature scheme: `X-Chameleon-Signature`, Standard Webhooks headers, or both.
 */
import { signPayload, standardHeaders } from '../../signature/index.js';
import type { SignatureScheme } from '../endpoints/documents.js';

/** A request ready to send. */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** The secrets an attempt is signed with. */
export interface SigningKeys {
  /** The one secret of `X-Chameleon-Signature` (during a rotation, the previous one until its grace ends). */
  chameleon: string;
  /** Every secret that signs a Standard Webhooks list (during a rotation, the previous ones and the new one). */
  standard: readonly string[];
}

/**
 * Serialises and signs one attempt of webhook `id`. `X-Chameleon-Id` is always sent; the
 * `chameleon` scheme adds `X-Chameleon-Signature`, `standard` adds `webhook-id`,
 * `webhook-timestamp` (the unix seconds of `sent_at`) and `webhook-signature`, `both` adds all.
 */
export function buildSignedRequest(
  id: string,
  topic: string,
  data: unknown,
  keys: SigningKeys | string,
  sentAt: Date,
  scheme: SignatureScheme = 'chameleon',
): SignedRequest {
  const { chameleon, standard } = typeof keys === 'string' ? { chameleon: keys, standard: [keys] } : keys;
  const body = JSON.stringify({ id, kind: topic, sent_at: sentAt.toISOString(), data });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'x-chameleon-id': id,
  };
  if (scheme !== 'standard') headers['x-chameleon-signature'] = signPayload(body, chameleon);
  if (scheme !== 'chameleon') Object.assign(headers, standardHeaders(id, sentAt, body, standard));
  return { body, headers };
}
