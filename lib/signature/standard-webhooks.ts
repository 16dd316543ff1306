/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp`
 * and `webhook-signature: v1,<base64>` over `id.timestamp.body`, keyed with the account's webhook
 * secret. Pure functions, shared by the sender and `chameleon-hooks/verify`.
 *
 * Hand-written rather than using the `standardwebhooks` package: it is a few lines of `node:crypto`,
 * the key here is the webhook secret's UTF-8 bytes (not a base64-decoded `whsec_` string), and the
 * receiving side must load no extra dependency. The tests check every signature with the official
 * `standardwebhooks` library and with `svix`'s `Webhook.verify`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RawPayload } from './sign-payload.js';

/** The Standard Webhooks header names (lower-cased, as Node exposes them). */
export const STANDARD_HEADERS = Object.freeze({
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
});

/** The three Standard Webhooks headers of one request. */
export type StandardWebhookHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

/** Digest length of HMAC-SHA256 in bytes. */
const DIGEST_BYTES = 32;

/**
 * The Standard Webhooks form of a webhook secret: `whsec_` + the base64 of its UTF-8 bytes. A receiver
 * holding the webhook secret `s` verifies with `new Webhook(standardSecret(s))` (standardwebhooks, svix).
 *
 * @example
 * standardSecret('hello') // 'whsec_aGVsbG8='
 */
export function standardSecret(webhookSecret: string): string {
  return `whsec_${Buffer.from(webhookSecret, 'utf8').toString('base64')}`;
}

/** The raw HMAC-SHA256 of `id.timestamp.body`, keyed with the secret's UTF-8 bytes. */
function digest(id: string, timestamp: number | string, raw: RawPayload, secret: string): Buffer {
  const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
}

/**
 * The `webhook-signature` value: one `v1,<base64>` per secret, space-separated (Standard Webhooks'
 * list form, so that during a rotation both secrets sign and either verifies).
 *
 * @param id - the message id (`webhook-id`); may not contain `.`.
 * @param timestamp - unix seconds (`webhook-timestamp`).
 * @param raw - the exact body bytes sent.
 * @param secrets - the webhook secrets that sign, at least one.
 * @throws TypeError on an empty secret list, an empty secret, or an id containing `.`.
 * @example
 * signStandard('msg_1', 1700000000, '{"a":1}', ['old-secret', 'new-secret']) // 'v1,… v1,…'
 */
export function signStandard(id: string, timestamp: number, raw: RawPayload, secrets: readonly string[]): string {
  if (id.includes('.')) throw new TypeError('signStandard: the message id may not contain "."');
  if (!Number.isSafeInteger(timestamp)) throw new TypeError('signStandard: `timestamp` must be integer unix seconds');
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new TypeError('signStandard: `secrets` must be a non-empty list of non-empty strings');
  }
  return secrets.map((s) => `v1,${digest(id, timestamp, raw, s).toString('base64')}`).join(' ');
}

/**
 * The three Standard Webhooks headers for one attempt.
 *
 * @param sentAt - the attempt's time; `webhook-timestamp` is its unix seconds.
 * @example
 * standardHeaders(webhookId, new Date(), body, [account.webhookSecret])
 */
export function standardHeaders(id: string, sentAt: Date, raw: RawPayload, secrets: readonly string[]): StandardWebhookHeaders {
  const timestamp = Math.floor(sentAt.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandard(id, timestamp, raw, secrets),
  };
}

/** `v1,` followed by the base64 of a 32-byte digest (44 characters with padding). */
const V1_SIGNATURE = /^v1,([A-Za-z0-9+/]{43}=)$/;

/**
 * Checks a received `webhook-signature` list in constant time: it verifies when any `v1` entry
 * matches `id.timestamp.body` under any of the secrets. Other versions (`v1a`, …) are ignored, as the
 * specification says. Every entry is compared against every secret with `timingSafeEqual`, so the
 * time taken tells nothing about which matched. Never throws; bad input is `false`.
 *
 * It does not check the timestamp's age: the caller does, with its tolerance.
 *
 * @param secrets - the webhook secrets accepted (the current one and, while rotating, the previous).
 * @example
 * verifyStandardSignature(rawBody, { id, timestamp, signature }, [process.env.WEBHOOK_SECRET!])
 */
export function verifyStandardSignature(
  raw: RawPayload,
  received: { id: string; timestamp: string; signature: string },
  secrets: readonly string[],
): boolean {
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) return false;
  const { id, timestamp, signature } = received;
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const keys = secrets.filter((s) => typeof s === 'string' && s.length > 0);
  const candidates = signature
    .split(' ')
    .map((entry) => V1_SIGNATURE.exec(entry.trim())?.[1])
    .filter((b64): b64 is string => b64 !== undefined)
    .map((b64) => Buffer.from(b64, 'base64'))
    .filter((bytes) => bytes.length === DIGEST_BYTES);
  let matched = false;
  for (const key of keys) {
    const expected = digest(id, timestamp, raw, key);
    for (const candidate of candidates) matched = timingSafeEqual(expected, candidate) || matched;
  }
  return matched;
}
