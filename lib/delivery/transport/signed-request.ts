/**
 * Builds one attempt's request exactly as documented: body `{id, kind, sent_at, data}` with a
 * fresh `sent_at`, signed over the exact body bytes with the account's webhook secret.
 */
import { signPayload } from '../../signature/index.js';

/** A request ready to send. */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** Serialises and signs one attempt of webhook `id`. */
export function buildSignedRequest(id: string, topic: string, data: unknown, secret: string, sentAt: Date): SignedRequest {
  const body = JSON.stringify({ id, kind: topic, sent_at: sentAt.toISOString(), data });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-chameleon-id': id,
      'x-chameleon-signature': signPayload(body, secret),
    },
  };
}
