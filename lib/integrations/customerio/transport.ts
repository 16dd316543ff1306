/**
 * The Customer.io Track API transport: one delivery attempt of a published activity to an
 * account's workspace. Maps the activity (or skips it, with the reason), identifies the person
 * the first time (`PUT /api/v1/customers/{id}`), then sends the event
 * (`POST /api/v1/customers/{id}/events`) with Basic auth, each request paced by the
 * integration's rate limit and sent through the SSRF-guarded sender.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpResult, HttpSender } from '../../delivery/transport/http-sender.js';
import type { Logger } from '../../logger.js';
import { TRACK_LIMITS } from './config.js';
import { classifyTrack, type TrackJudgement } from './classify.js';
import { eventUlid } from './event-id.js';
import { mapActivity, type MappingSettings } from './event-mapping.js';
import { cutToBytes, fitData } from './limits.js';
import { personKey, type IdentifiedPeople } from './people-repo.js';
import type { RateLimiter } from './rate-limiter.js';
import type { OpenIntegration } from './repo.js';

/** What the transport needs. */
export interface TrackTransportDeps {
  sender: HttpSender;
  people: IdentifiedPeople;
  limiter: RateLimiter;
  logger: Logger;
}

/** The activity to send. */
export interface TrackActivity {
  /** The published webhook's id (with the integration's id, it makes the event's `id`). */
  webhookId: string;
  topic: string;
  data: Record<string, unknown>;
  /** When it was published: the event's `timestamp`. */
  createdAt: Date;
}

/** How a transport that waits keeps its claim on the delivery (see the engine's `TransportAttempt.renewClaim`). */
export interface ClaimKeeper {
  leaseMs: number;
  renew(): Promise<boolean>;
}

/** One attempt's result, for the delivery log. */
export interface TrackAttempt {
  /** Set when nothing was sent: why (no identifier, not forwarded). */
  skipped?: string;
  /** The last request's result (the one that decided), when something was sent. */
  result?: HttpResult;
  /** What the result means; `undefined` when skipped. */
  judgement?: TrackJudgement;
  /** The requests made, e.g. `PUT /api/v1/customers/u1 200`, `POST /api/v1/customers/u1/events 500`. */
  requests: string[];
  /** Limits applied (data trimmed), to record with the attempt. */
  warnings: string[];
  /** The last request made (no credentials in it): method, path and body size. */
  lastRequest?: { method: 'PUT' | 'POST'; path: string; bytes: number };
  /** Wall time of the whole attempt (pacing included), in ms. */
  durationMs: number;
}

/** The Basic `Authorization` header of an integration. */
export function basicAuth(siteId: string, apiKey: string): string {
  return `Basic ${Buffer.from(`${siteId}:${apiKey}`, 'utf8').toString('base64')}`;
}

/** The Track API path of a person. */
export function customerPath(id: string): string {
  return `/api/v1/customers/${encodeURIComponent(id)}`;
}

/** Sends activity to Customer.io. */
export class TrackTransport {
  constructor(private readonly deps: TrackTransportDeps) {}

  /**
   * Waits for the integration's next request slot (its `rate_limit`), renewing the claim on the
   * delivery while it waits; `false` when the claim was lost meanwhile.
   */
  private async pace(integration: OpenIntegration, claim: ClaimKeeper | undefined): Promise<boolean> {
    let wait = this.deps.limiter.reserve(integration.id.toHexString(), integration.rateLimit);
    const step = claim ? Math.max(50, Math.floor(claim.leaseMs / 3)) : Infinity;
    while (wait > 0) {
      const chunk = Math.min(wait, step);
      await sleep(chunk);
      wait -= chunk;
      if (claim && chunk === step && !(await claim.renew())) return false;
    }
    return true;
  }

  /** Makes one attempt: identify when needed, then the event. Never throws for Customer.io's answers. */
  async send(integration: OpenIntegration, settings: MappingSettings, activity: TrackActivity, claim?: ClaimKeeper): Promise<TrackAttempt> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const mapping = mapActivity(activity.topic, activity.data, settings, activity.createdAt.getTime());
    if ('skipped' in mapping) return { skipped: mapping.skipped, requests: [], warnings: [], durationMs: elapsed() };
    const { person, name, timestamp } = mapping.event;
    const fitted = fitData(mapping.event.data);
    const requests: string[] = [];
    let lastRequest: TrackAttempt['lastRequest'];
    // X-Chameleon-Id names the published activity, as on webhooks (Customer.io ignores it; logs and proxies can use it).
    const headers = {
      Authorization: basicAuth(integration.siteId, integration.apiKey),
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-Chameleon-Id': activity.webhookId,
    };
    const path = customerPath(person.id);
    const call = async (method: 'PUT' | 'POST', at: string, body: unknown): Promise<HttpResult> => {
      if (!(await this.pace(integration, claim))) {
        requests.push(`${method} ${at} not sent: the claim was lost while waiting for the rate limit`);
        return { ok: false, durationMs: elapsed(), errorKind: 'timeout', error: 'Waited too long for the rate limit: another attempt took over' };
      }
      const json = JSON.stringify(body);
      lastRequest = { method, path: at, bytes: Buffer.byteLength(json, 'utf8') };
      const result = await this.deps.sender.send({ method, url: integration.baseUrl + at, body: json, headers });
      requests.push(`${method} ${at} ${result.status ?? result.errorKind ?? 'error'}`);
      return result;
    };

    const key = personKey(integration.account, integration.siteId, person.id);
    if (!(await this.deps.people.has(key))) {
      const identified = await call('PUT', path, { ...(person.email ? { email: person.email } : {}), created_at: person.created_at });
      const judgement = classifyTrack(identified);
      if (judgement.outcome !== 'success') return { result: identified, judgement, requests, warnings: fitted.warnings, lastRequest, durationMs: elapsed() };
      // Not remembered (a database hiccup) only means one more identify later: harmless.
      await this.deps.people.remember(key).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'chameleon-hooks: could not remember a Customer.io identify'));
    }
    const event = {
      name: cutToBytes(name, TRACK_LIMITS.nameBytes),
      id: eventUlid(activity.webhookId, integration.id.toHexString(), activity.createdAt),
      timestamp,
      data: fitted.data,
    };
    const result = await call('POST', `${path}/events`, event);
    return { result, judgement: classifyTrack(result), requests, warnings: fitted.warnings, lastRequest, durationMs: elapsed() };
  }
}
