/**
 * Customer.io reporting-webhook signatures: `X-CIO-Signature` is the hex HMAC-SHA256, keyed with
 * the workspace's webhook signing key, of `v0:{X-CIO-Timestamp}:{raw body}`. Pure: no Express,
 * no MongoDB. The comparison is the package's constant-time one (lib/signature).
 */
import { signPayload } from '../../../signature/sign-payload.js';
import { verifySignature } from '../../../signature/verify-signature.js';

/** Why a reporting webhook's signature was refused. */
export type ReportingSignatureProblem = 'missing_signature' | 'missing_timestamp' | 'stale' | 'future' | 'bad_signature';

/** What {@link checkReportingSignature} needs. */
export interface ReportingSignatureInput {
  /** The workspace's webhook signing key, as Customer.io shows it. */
  signingKey: string;
  /** The raw request body, exactly as received. */
  raw: Buffer;
  /** The `X-CIO-Timestamp` header (unix seconds). */
  timestamp: string | undefined;
  /** The `X-CIO-Signature` header (hex). */
  signature: string | undefined;
  /** How far the timestamp may be from now, either way, in seconds. */
  toleranceSeconds: number;
  /** The current time (ms). */
  nowMs: number;
}

/** The exact bytes Customer.io signs: `v0:{timestamp}:{raw body}`. */
function signedContent(timestamp: string, raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`v0:${timestamp}:`, 'utf8'), raw]);
}

/**
 * Signs a reporting webhook as Customer.io does (for tests, the example app and senders).
 *
 * @example
 * signReportingWebhook('key', '1700000000', Buffer.from('{"event_id":"01H…"}')) // 64 hex digits
 */
export function signReportingWebhook(signingKey: string, timestamp: string, raw: Buffer): string {
  return signPayload(signedContent(timestamp, raw), signingKey);
}

/**
 * Checks a reporting webhook's timestamp and signature; `undefined` when it verifies, else why
 * not. The timestamp must be unix seconds within `toleranceSeconds` of now (either way), and the
 * signature is compared in constant time. A missing or malformed header is a problem, never a throw.
 *
 * @example
 * checkReportingSignature({ signingKey, raw, timestamp: req.get('x-cio-timestamp'), signature: req.get('x-cio-signature'), toleranceSeconds: 300, nowMs: Date.now() })
 * // undefined, or 'bad_signature' | 'stale' | …
 */
export function checkReportingSignature(input: ReportingSignatureInput): ReportingSignatureProblem | undefined {
  const { timestamp, signature } = input;
  if (typeof signature !== 'string' || signature.trim() === '') return 'missing_signature';
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp.trim())) return 'missing_timestamp';
  const ts = timestamp.trim();
  const skewMs = input.nowMs - Number(ts) * 1000;
  if (skewMs > input.toleranceSeconds * 1000) return 'stale';
  if (-skewMs > input.toleranceSeconds * 1000) return 'future';
  return verifySignature(signedContent(ts, input.raw), signature, input.signingKey) ? undefined : 'bad_signature';
}

/** The `401` message for each problem (never echoing a header or the key). */
export const SIGNATURE_PROBLEM_MESSAGES: Readonly<Record<ReportingSignatureProblem, string>> = Object.freeze({
  missing_signature: 'Missing X-CIO-Signature header: this account verifies Customer.io reporting webhooks with its webhook signing key',
  missing_timestamp: 'Missing or malformed X-CIO-Timestamp header (unix seconds)',
  stale: 'The X-CIO-Timestamp is too old: the request is outside the tolerance window (replayed or delayed)',
  future: 'The X-CIO-Timestamp is in the future beyond the tolerance window',
  bad_signature: 'The X-CIO-Signature does not match the body and the account\'s Customer.io webhook signing key',
});
