/**
 * The `chameleon-hooks/verify` entry: everything a receiver needs, with no MongoDB or Agenda behind it.
 */
export { verifyChameleonWebhook } from './middleware.js';
export { verifyWebhook } from './verify-webhook.js';
export { WebhookVerificationError, type VerificationFailureReason } from './webhook-verification-error.js';
export { RawBodyError, type RawBodyFailureReason } from './raw-body-error.js';
export { InvalidVerifyOptionError } from './invalid-verify-option-error.js';
export { VERIFY_DEFAULTS } from './options.js';
export type {
  ChameleonWebhook,
  VerifyWebhookOptions,
  VerifyChameleonWebhookOptions,
  WebhookHeaders,
} from './types.js';
export {
  signPayload,
  verifySignature,
  SIGNATURE_HEADER,
  ID_HEADER,
  standardSecret,
  verifyStandardSignature,
  STANDARD_HEADERS,
  type RawPayload,
} from '../signature/index.js';
