/**
 * Pure judgement of one Track API request: what Customer.io's answer means for the delivery.
 */
import type { HttpResult } from '../../delivery/transport/http-sender.js';

/** What the delivery does next: stop (`success`), try again on the schedule (`retry`), or give up (`final`). */
export type TrackOutcome = 'success' | 'retry' | 'final';

/** An outcome, and whether Customer.io refused the integration's credentials. */
export interface TrackJudgement {
  outcome: TrackOutcome;
  /** `401`/`403`: the Site ID or API key is wrong (the integration is marked in error). */
  credentialsRejected: boolean;
  /** Why it stops, when `final`. */
  reason?: string;
}

/** Statuses worth retrying (as Customer.io's own client does): timeouts, throttling, server errors. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Classifies a Track API request: `2xx` succeeds; `408`, `429`, `5xx`, timeouts, network and
 * TLS errors and refused addresses are retried (the sender has read `Retry-After`); any other
 * status (`400`, `401`, `403`, `404`, …) is final, and `401`/`403` mean the credentials were
 * rejected. A redirect is final too: it is never followed (credentials would go with it), and
 * Customer.io redirects only a region mismatch.
 *
 * @example
 * classifyTrack({ ok: true, status: 200, durationMs: 5 })                       // { outcome: 'success', … }
 * classifyTrack({ ok: false, status: 401, durationMs: 5, errorKind: 'http' })  // { outcome: 'final', credentialsRejected: true, … }
 * classifyTrack({ ok: false, durationMs: 7000, errorKind: 'timeout' })          // { outcome: 'retry', … }
 */
export function classifyTrack(result: HttpResult): TrackJudgement {
  if (result.ok) return { outcome: 'success', credentialsRejected: false };
  const status = result.status;
  if (status === undefined) {
    if (result.errorKind === 'forbidden_url') return { outcome: 'final', credentialsRejected: false, reason: result.error ?? 'The Track API URL is not allowed' };
    return { outcome: 'retry', credentialsRejected: false };
  }
  if (result.errorKind === 'redirect') {
    return { outcome: 'final', credentialsRejected: false, reason: `${result.error ?? `Redirect ${status}`}: check the integration's region` };
  }
  if (retryable(status)) return { outcome: 'retry', credentialsRejected: false };
  if (status === 401 || status === 403) return { outcome: 'final', credentialsRejected: true, reason: `Customer.io answered ${status}: credentials rejected (check the Site ID and API key)` };
  return { outcome: 'final', credentialsRejected: false, reason: `Customer.io answered ${status}, which a retry would not change` };
}
