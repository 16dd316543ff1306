/**
 * Pure signing and verification of webhook bodies (no Express, no MongoDB), shared by delivery and verify.
 */
export { signPayload, type RawPayload } from './sign-payload.js';
export { verifySignature } from './verify-signature.js';
export { SIGNATURE_HEADER, ID_HEADER } from './headers.js';
export {
  signStandard,
  standardHeaders,
  standardSecret,
  verifyStandardSignature,
  STANDARD_HEADERS,
  type StandardWebhookHeaders,
} from './standard-webhooks.js';
