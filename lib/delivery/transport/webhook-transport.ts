/**
 * The signed-webhook transport (destinations of kind `endpoint`): builds the documented body
 * with a fresh `sent_at`, signs it with the account's webhook secret in the endpoint's scheme
 * (`X-Chameleon-Signature` and/or Standard Webhooks headers), POSTs it through
 * the SSRF-guarded sender, and judges the answer.
 */
import { signingSecret, signingSecrets } from '../../accounts/account-store.js';
import { buildSignedRequest } from './signed-request.js';
import type { SignatureScheme } from '../endpoints/documents.js';
import type { HttpResult, HttpSender } from './http-sender.js';
import type { AttemptOutcome, Transport, TransportAttempt, Verdict } from '../destinations/transport.js';

/** The transport name endpoints give. */
export const WEBHOOK_TRANSPORT = 'webhook';

/**
 * Judges a webhook attempt: a `2xx` received in full is a success, `410 Gone` means the
 * receiver wants no more webhooks (the endpoint is disabled), and everything else — any other
 * status, a timeout, a network or TLS error, a refused address, a redirect — is retried.
 *
 * @example
 * classifyAttempt({ ok: true, status: 204, durationMs: 12 })                      // 'success'
 * classifyAttempt({ ok: false, status: 410, durationMs: 12, errorKind: 'http' })  // 'gone'
 * classifyAttempt({ ok: false, durationMs: 7000, errorKind: 'timeout' })          // 'retry'
 */
export function classifyAttempt(result: HttpResult): Extract<Verdict, 'success' | 'retry' | 'gone'> {
  if (result.ok) return 'success';
  if (result.status === 410) return 'gone';
  return 'retry';
}

/** An HTTP result as an attempt outcome. */
export function outcomeOf(result: HttpResult, verdict: Verdict): AttemptOutcome {
  const outcome: AttemptOutcome = { verdict, durationMs: result.durationMs };
  if (result.status !== undefined) outcome.status = result.status;
  if (result.responseBody !== undefined) outcome.responseBody = result.responseBody;
  if (result.error !== undefined) outcome.error = result.error;
  if (result.errorKind !== undefined) outcome.errorKind = result.errorKind;
  if (result.retryAfterMs !== undefined) outcome.retryAfterMs = result.retryAfterMs;
  return outcome;
}

/** What the webhook transport needs of a destination: its URL and signature scheme (an endpoint document has them). */
export interface WebhookTarget {
  url: string;
  /** @defaultValue 'chameleon' */
  signature?: SignatureScheme;
}

/** The transport of signed webhooks over `sender` (which it closes). */
export function createWebhookTransport(sender: HttpSender): Transport<WebhookTarget> {
  return {
    async send({ destination, webhook, account, at }: TransportAttempt<WebhookTarget>): Promise<AttemptOutcome> {
      const keys = { chameleon: signingSecret(account, at), standard: signingSecrets(account, at) };
      const request = buildSignedRequest(webhook._id.toHexString(), webhook.topic, webhook.data, keys, at, destination.target.signature);
      const result = await sender.send({ url: destination.target.url, body: request.body, headers: request.headers });
      return outcomeOf(result, classifyAttempt(result));
    },
    close: () => sender.close(),
  };
}
