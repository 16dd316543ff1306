/** Every default of the options, in one frozen object. */
import { DEFAULT_RETRY_SCHEDULE } from '../delivery/attempts/retry-schedule.js';

/** One mebibyte. */
export const MIB = 1024 * 1024;

/** Every default, in one place. */
export const DEFAULTS = Object.freeze({
  collectionPrefix: 'chameleon_',
  limits: Object.freeze({ bodyBytes: MIB, batchBytes: 16 * MIB, valueBytes: 768, propertiesPerItem: 1000, endpointsPerAccount: 5 }),
  delivery: Object.freeze({
    timeoutMs: 7000,
    retrySchedule: DEFAULT_RETRY_SCHEDULE,
    jitter: 0.1,
    allowHttp: false,
    allowPrivateNetworks: false,
    userAgent: 'Chameleon Webhooks/v3 (chameleon.io; integral)',
    concurrency: 64,
    perEndpointConcurrency: 16,
    publishWaitMs: 250,
    responseBodyBytes: 4096,
    autoDisableAfterMs: 5 * 24 * 60 * 60 * 1000,
    retentionMs: 30 * 24 * 60 * 60 * 1000,
    pollIntervalMs: 500,
    sweepIntervalMs: 10_000,
  }),
  /** `inFlightBytes` is `BATCH_BUDGET_FACTOR × limits.batchBytes` unless given. */
  batches: Object.freeze({ concurrency: 2, leaseMs: 30_000, pollIntervalMs: 1000 }),
  flushIntervalMs: 1000,
  rateLimit: false as const,
  customerio: Object.freeze({ webhookToleranceSeconds: 300 }),
  /** The values a `rateLimit: {}` object is completed with. */
  rateLimitWhenOn: Object.freeze({ windowMs: 1000, limit: 100 }),
});
