/**
 * The framework-agnostic core: raw bytes + headers in, a verified `ChameleonWebhook` out, or a `WebhookVerificationError`.
 */
import { SIGNATURE_HEADER } from '../signature/headers.js';
import type { RawPayload } from '../signature/sign-payload.js';
import { verifySignature } from '../signature/verify-signature.js';
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
  if (signature === undefined || signature.trim() === '') {
    throw new WebhookVerificationError('missing_signature', 'Missing the X-Chameleon-Signature header');
  }
  if (!verifySignature(raw, signature, config.secrets)) {
    throw new WebhookVerificationError('bad_signature', 'X-Chameleon-Signature does not match the request body');
  }
  // Only bytes whose signature checked out are parsed.
  const payload = parsePayload(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
  checkSentAt(payload.sent_at, config.now(), config.toleranceSeconds);
  return payload;
}

/**
 * Verifies a received Chameleon webhook without any framework: checks `X-Chameleon-Signature`
 * (hex HMAC-SHA256 of the raw body) in constant time against the secret(s), then parses the JSON,
 * then checks that `sent_at` is within `toleranceSeconds` of now, in either direction.
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
