/**
 * Options: `parseOptions` checks the public `Options` once and returns the complete, frozen `Config`.
 * The types are in `options/types.ts`, the defaults in `options/defaults.ts`, the checks of single
 * options in `options/checks.ts`.
 */
import { InvalidOptionError } from './errors.js';
import { TOP_LEVEL_KEYS, assertKnownKeys } from './option-keys.js';
import type { Agenda } from 'agenda';
import { DEFAULTS } from './options/defaults.js';
import {
  MAX_BODY_BYTES, MAX_TIMER_MS, bool, isPlainObject, mongoFromEnvironment, omitUndefined, parseAccounts, parseBatches, parseCa,
  parseCustomerio, parseLogger, parseMetrics, parseMongo, parseRateLimit, parseRetention, parseRetrySchedule, parseSecretsKey, positiveInteger,
} from './options/checks.js';
import type { AgendaSettings, Config, Options } from './options/types.js';

export type * from './options/types.js';
export { DEFAULTS } from './options/defaults.js';

/**
 * Checks every option and merges it with {@link DEFAULTS}.
 * @throws InvalidOptionError naming the first bad option.
 */
export function parseOptions(options: Options = {}): Config {
  if (!isPlainObject(options)) throw new InvalidOptionError('options', 'expected an object of options');
  assertKnownKeys(options, TOP_LEVEL_KEYS, '');
  for (const [key, known] of [
    ['limits', Object.keys(DEFAULTS.limits)],
    ['delivery', [...Object.keys(DEFAULTS.delivery), 'ca']],
    ['rateLimit', Object.keys(DEFAULTS.rateLimitWhenOn)],
    ['customerio', Object.keys(DEFAULTS.customerio)],
    ['metrics', ['registry']],
    ['batches', [...Object.keys(DEFAULTS.batches), 'inFlightBytes']],
  ] as const) {
    const value = options[key];
    if (isPlainObject(value)) assertKnownKeys(value, known, key);
  }
  const agendaValue = options.agenda;
  if (isPlainObject(agendaValue) && Object.getPrototypeOf(agendaValue) === Object.prototype) assertKnownKeys(agendaValue, ['collection'], 'agenda');
  const mongo = parseMongo(options.mongo ?? mongoFromEnvironment());
  const prefix = options.collectionPrefix ?? DEFAULTS.collectionPrefix;
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_]{0,32}$/.test(prefix)) {
    throw new InvalidOptionError('collectionPrefix', 'expected up to 32 letters, digits or `_`');
  }
  if (options.limits !== undefined && !isPlainObject(options.limits)) throw new InvalidOptionError('limits', 'expected an object');
  if (options.delivery !== undefined && !isPlainObject(options.delivery)) throw new InvalidOptionError('delivery', 'expected an object');
  const limitsIn = { ...DEFAULTS.limits, ...omitUndefined(options.limits) };
  const limits = Object.freeze({
    bodyBytes: positiveInteger('limits.bodyBytes', limitsIn.bodyBytes, 1024, MAX_BODY_BYTES),
    batchBytes: positiveInteger('limits.batchBytes', limitsIn.batchBytes, 1024, MAX_BODY_BYTES),
    valueBytes: positiveInteger('limits.valueBytes', limitsIn.valueBytes, 16),
    propertiesPerItem: positiveInteger('limits.propertiesPerItem', limitsIn.propertiesPerItem, 1, 1_000_000),
    endpointsPerAccount: positiveInteger('limits.endpointsPerAccount', limitsIn.endpointsPerAccount),
  });
  const d = { ...DEFAULTS.delivery, ...omitUndefined(options.delivery) };
  if (typeof d.jitter !== 'number' || !(d.jitter >= 0 && d.jitter <= 0.5)) throw new InvalidOptionError('delivery.jitter', 'expected a fraction from 0 to 0.5');
  if (typeof d.userAgent !== 'string' || d.userAgent.length === 0 || /[\r\n]/.test(d.userAgent)) {
    throw new InvalidOptionError('delivery.userAgent', 'expected a one-line string');
  }
  const delivery = Object.freeze({
    timeoutMs: positiveInteger('delivery.timeoutMs', d.timeoutMs, 10, MAX_TIMER_MS),
    retrySchedule: parseRetrySchedule(d.retrySchedule),
    jitter: d.jitter,
    allowHttp: bool('delivery.allowHttp', d.allowHttp),
    allowPrivateNetworks: bool('delivery.allowPrivateNetworks', d.allowPrivateNetworks),
    ca: parseCa(options.delivery?.ca),
    userAgent: d.userAgent,
    concurrency: positiveInteger('delivery.concurrency', d.concurrency),
    perEndpointConcurrency: positiveInteger('delivery.perEndpointConcurrency', d.perEndpointConcurrency),
    publishWaitMs: positiveInteger('delivery.publishWaitMs', d.publishWaitMs, 0, MAX_TIMER_MS),
    responseBodyBytes: positiveInteger('delivery.responseBodyBytes', d.responseBodyBytes, 0),
    autoDisableAfterMs: positiveInteger('delivery.autoDisableAfterMs', d.autoDisableAfterMs),
    retentionMs: parseRetention(d.retentionMs, d.retrySchedule),
    pollIntervalMs: positiveInteger('delivery.pollIntervalMs', d.pollIntervalMs, 10, MAX_TIMER_MS),
    sweepIntervalMs: positiveInteger('delivery.sweepIntervalMs', d.sweepIntervalMs, 50, MAX_TIMER_MS),
  });
  const agenda = options.agenda ?? {};
  if (!isPlainObject(agenda)) throw new InvalidOptionError('agenda', 'expected an Agenda instance or settings');
  const flushIntervalMs = positiveInteger('flushIntervalMs', (options.flushIntervalMs as number | undefined) ?? DEFAULTS.flushIntervalMs, 10, MAX_TIMER_MS);
  return Object.freeze({
    rateLimit: parseRateLimit(options.rateLimit),
    metrics: parseMetrics(options.metrics),
    customerio: parseCustomerio(options.customerio),
    mongo,
    collectionPrefix: prefix,
    accounts: Object.freeze(parseAccounts(options.accounts)),
    limits,
    delivery,
    batches: parseBatches(options.batches, limits.batchBytes),
    agenda: agenda as Agenda | AgendaSettings,
    logger: parseLogger(options.logger),
    flushIntervalMs,
    secretsKey: parseSecretsKey(options.secretsKey),
  });
}
