/**
 * chameleon-hooks: the public API (named re-exports only).
 */
export { chameleonHooks, type ChameleonHooks } from './chameleon-hooks.js';
export { DEFAULTS, type Options, type Config, type MongoOptions, type StaticAccount, type LimitOptions, type BatchOptions, type DeliveryOptions, type AgendaSettings, type RateLimitOptions } from './options.js';
export { ERROR_CODES, ChameleonError, InvalidOptionError, UnknownTopicError, InvalidPayloadError, RateLimitedError, ForbiddenUrlError, BusyError, type ErrorCode, type ErrorBody } from './errors.js';
export { DEFAULT_RETRY_SCHEDULE } from './delivery/attempts/retry-schedule.js';
export type { Logger } from './logger.js';
export type { Account, CreatedAccount } from './accounts/account-store.js';
export * from './topics/index.js';
export { signPayload, verifySignature, SIGNATURE_HEADER, ID_HEADER, standardSecret, STANDARD_HEADERS } from './signature/index.js';
export { verifyChameleonWebhook, verifyWebhook, WebhookVerificationError, type ChameleonWebhook } from './verify/index.js';
export type { PublishResult } from './delivery/publisher.js';
export type { DashboardOptions, DashboardGrant, DashboardAuthorize } from './dashboard/options.js';
