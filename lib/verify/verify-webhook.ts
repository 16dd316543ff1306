/**
 * The framework-agnostic core: raw bytes + headers in, a verified `ChameleonWebhook` out, or a `WebhookVerificationError`.
 */
import { SIGNATURE_HEADER } from '../signature/headers.js';
import type { RawPayload } from '../signature/sign-payload.js';
import { verifySignature } from '../signature/verify-signature.js';
import { STANDARD_HEADERS, verifyStandardSignature } from '../signature/standard-webhooks.js';
import { getHeader } from './get-header.js';
import { parseVerifyOptions, type VerifyConfig } from './options.js';
import { checkSentAt, parsePayload } from './parse-payload.js';
import type { ChameleonWebhook, VerifyWebhookOptions, WebhookHeaders } from './types.js';
import { WebhookVerificationError } from './webhook-verification-error.js';

/**
 * {@link verifyWebhook} with options already parsed (the middleware parses them once).
 * @internal
 */
export function verifyWithConfig(raw: RawPayload, headers: WebhookHeaders, config: VerifyConfig): ChameleonWebhook {
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) {
    throw new TypeError('verifyWebhook: `raw` must be the raw body (a Buffer, Uint8Array or string), not a parsed object');
  }
  const signature = getHeader(headers, SIGNATURE_HEADER);
  if (signature !== undefined && signature.trim() !== '') {
    if (!verifySignature(raw, signature, config.secrets)) {
      throw new WebhookVerificationError('bad_signature', 'X-Chameleon-Signature does not match the request body');
    }
  } else if (getHeader(headers, STANDARD_HEADERS.signature) !== undefined) {
    verifyStandard(raw, headers, config);
  } else {
    throw new WebhookVerificationError(
      'missing_signature',
      'Missing the X-Chameleon-Signature header (or the Standard Webhooks webhook-signature header)',
    );
  }
  // Only bytes whose signature checked out are parsed.
  const payload = parsePayload(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
  checkSentAt(payload.sent_at, config.now(), config.toleranceSeconds);
  return payload;
}

/** Unix seconds: digits only, as Standard Webhooks sends them. */
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Checks the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`):
 * the signature over `id.timestamp.body` with any accepted secret, then the timestamp's tolerance.
 */
function verifyStandard(raw: RawPayload, headers: WebhookHeaders, config: VerifyConfig): void {
  const id = getHeader(headers, STANDARD_HEADERS.id) ?? '';
  const timestamp = (getHeader(headers, STANDARD_HEADERS.timestamp) ?? '').trim();
  const signature = getHeader(headers, STANDARD_HEADERS.signature) ?? '';
  if (id === '' || !UNIX_SECONDS.test(timestamp)) {
    throw new WebhookVerificationError('missing_timestamp', 'webhook-signature needs the webhook-id and webhook-timestamp (unix seconds) headers');
  }
  if (!verifyStandardSignature(raw, { id, timestamp, signature }, config.secrets)) {
    throw new WebhookVerificationError('bad_signature', 'webhook-signature does not match the request');
  }
  const ageMs = config.now().getTime() - Number(timestamp) * 1000;
  if (ageMs > config.toleranceSeconds * 1000) {
    throw new WebhookVerificationError('stale', `The webhook is stale: webhook-timestamp is more than ${config.toleranceSeconds} s in the past`);
  }
  if (-ageMs > config.toleranceSeconds * 1000) {
    throw new WebhookVerificationError('future', `The webhook is from the future: webhook-timestamp is more than ${config.toleranceSeconds} s ahead`);
  }
}

/**
 * Verifies a received Chameleon webhook without any framework: checks `X-Chameleon-Signature`
 * (hex HMAC-SHA256 of the raw body) in constant time against the secret(s), then parses the JSON,
 * then checks that `sent_at` is within `toleranceSeconds` of now, in either direction.
 *
 * Without `X-Chameleon-Signature`, the Standard Webhooks headers are checked instead (endpoints with
 * `signature: "standard"`): `webhook-signature` over `webhook-id.webhook-timestamp.body`, keyed with
 * the same webhook secret(s), and `webhook-timestamp` within the tolerance.
 *
 * @param raw - the exact raw body bytes as received; never a re-serialised object.
 * @param headers - the request headers (Node's `req.headers`, any record, or a fetch `Headers`).
 * @param options - the secret(s), the tolerance and the clock.
 * @returns the verified payload.
 * @throws WebhookVerificationError when the webhook must be rejected (answer `400`); see its `reason`.
 * @throws InvalidVerifyOptionError when an option is invalid.
 * @throws TypeError when `raw` is not a string or bytes (e.g. an already parsed body).
 * @example
 * try {
 *   const webhook = verifyWebhook(rawBody, req.headers, { secret: process.env.CHAMELEON_SECRET! });
 *   handle(webhook.kind, webhook.data);
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError) return respond(400, error.toBody());
 *   throw error;
 * }
 */
export function verifyWebhook(raw: RawPayload, headers: WebhookHeaders, options: VerifyWebhookOptions): ChameleonWebhook {
  return verifyWithConfig(raw, headers, parseVerifyOptions(options));
}
