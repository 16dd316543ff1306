/**
 * Customer.io on the delivery engine: integrations as destinations of kind `integration` (a
 * {@link DestinationSource} over the integrations repository) and the `customerio` transport
 * (the Track API transport as an engine {@link Transport}).
 */
import type { ObjectId } from 'mongodb';
import type { Destination, DestinationSource } from '../../delivery/destinations/destination.js';
import type { AttemptOutcome, Transport, TransportAttempt } from '../../delivery/destinations/transport.js';
import type { HttpSender } from '../../delivery/transport/http-sender.js';
import type { Logger } from '../../logger.js';
import { ACTIVITY_KINDS, TOPICS } from '../../topics/index.js';
import type { CustomerioDoc } from './documents.js';
import { eventNameFor } from './event-mapping.js';
import type { IdentifiedPeople } from './people-repo.js';
import type { RateLimiter } from './rate-limiter.js';
import type { CustomerioRepo } from './repo.js';
import { TrackTransport, type TrackAttempt } from './transport.js';

/** The transport name Customer.io destinations give. */
export const CUSTOMERIO_TRANSPORT = 'customerio';

/** What a person sees on the integration after a `401`/`403`. */
export const CREDENTIALS_REJECTED = 'credentials rejected: Customer.io refused the Site ID and API key';

/** An integration document as a destination. */
export function customerioDestination(doc: CustomerioDoc): Destination<CustomerioDoc> {
  const forwarded: string[] = [...TOPICS, ...ACTIVITY_KINDS].filter((topic) => eventNameFor(topic, doc) !== undefined);
  return {
    kind: 'integration',
    id: doc._id,
    account: doc.account,
    transport: CUSTOMERIO_TRANSPORT,
    name: 'Customer.io',
    disabled: false,
    disabledReason: null,
    topics: forwarded,
    accepts: (topic) => forwarded.includes(topic),
    target: doc,
  };
}

/** Destinations of kind `integration` (today: Customer.io, one per account). */
export class CustomerioSource implements DestinationSource<CustomerioDoc> {
  readonly kind = 'integration' as const;
  private readonly mapped = new WeakMap<CustomerioDoc, Destination<CustomerioDoc>>();

  constructor(
    private readonly repo: CustomerioRepo,
    private readonly logger: Logger,
  ) {}

  private destination(doc: CustomerioDoc): Destination<CustomerioDoc> {
    let d = this.mapped.get(doc);
    if (!d) this.mapped.set(doc, (d = customerioDestination(doc)));
    return d;
  }

  async byId(id: ObjectId): Promise<Destination<CustomerioDoc> | null> {
    const doc = await this.repo.byId(id);
    return doc ? this.destination(doc) : null;
  }

  async enabledFor(account: string): Promise<Destination<CustomerioDoc>[]> {
    const doc = await this.repo.get(account);
    return doc ? [this.destination(doc)] : [];
  }

  /** Integrations are never disabled by the engine (the transport gives no `gone`). */
  async disable(): Promise<void> {}

  async enable(): Promise<void> {}

  noteOutcome(id: ObjectId, at: Date, ok: boolean, error: string | null): void {
    this.repo.recordOutcome(id, ok ? 'valid' : 'error', ok ? null : error, at).catch((err: unknown) => this.logger.warn({ err }, 'chameleon-hooks: could not record the Customer.io state'));
  }

  markError(id: ObjectId, message: string): Promise<void> {
    return this.repo.recordOutcome(id, 'error', message);
  }

  flush(): Promise<void> {
    return this.repo.settled();
  }
}

/** What the Customer.io transport needs. */
export interface CustomerioTransportDeps {
  repo: CustomerioRepo;
  sender: HttpSender;
  people: IdentifiedPeople;
  limiter: RateLimiter;
  logger: Logger;
}

/** A Track API attempt as the engine's outcome. */
export function outcomeOfTrack(attempt: TrackAttempt, url: (path: string) => string): AttemptOutcome {
  if (attempt.skipped !== undefined) return { verdict: 'skip', durationMs: 0, error: attempt.skipped, errorKind: 'skipped' };
  const result = attempt.result!;
  const judgement = attempt.judgement!;
  const last = attempt.lastRequest;
  const outcome: AttemptOutcome = {
    verdict: judgement.outcome,
    durationMs: attempt.durationMs,
    ...(last ? { request: { method: last.method, url: url(last.path), bytes: last.bytes, ...(attempt.warnings.length > 0 ? { warnings: attempt.warnings } : {}) } } : {}),
  };
  if (result.status !== undefined) outcome.status = result.status;
  if (result.responseBody !== undefined) outcome.responseBody = result.responseBody;
  if (result.retryAfterMs !== undefined) outcome.retryAfterMs = result.retryAfterMs;
  const reason = judgement.reason ?? result.error;
  if (!result.ok && reason) outcome.error = reason;
  if (result.errorKind !== undefined) outcome.errorKind = judgement.credentialsRejected ? 'rejected' : result.errorKind;
  if (judgement.credentialsRejected) outcome.destinationError = CREDENTIALS_REJECTED;
  return outcome;
}

/** The `customerio` transport: one Track API attempt per delivery attempt (it closes `sender`). */
export function createCustomerioTransport(deps: CustomerioTransportDeps): Transport<CustomerioDoc> {
  const track = new TrackTransport({ sender: deps.sender, people: deps.people, limiter: deps.limiter, logger: deps.logger });
  return {
    async send({ destination, webhook, leaseMs, renewClaim }: TransportAttempt<CustomerioDoc>): Promise<AttemptOutcome> {
      let integration;
      try {
        integration = deps.repo.open(destination.target);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { verdict: 'final', durationMs: 0, error: message, errorKind: 'rejected', destinationError: message };
      }
      try {
        const claim = leaseMs !== undefined && renewClaim ? { leaseMs, renew: renewClaim } : undefined;
        const activity = { webhookId: webhook._id.toHexString(), topic: webhook.topic, data: webhook.data, createdAt: webhook.created_at };
        const attempt = await track.send(integration, destination.target, activity, claim);
        if (attempt.warnings.length > 0) deps.logger.warn({ delivery: webhook._id.toHexString(), warnings: attempt.warnings }, 'chameleon-hooks: Customer.io event data trimmed');
        return outcomeOfTrack(attempt, (path) => integration.baseUrl + path);
      } catch (error) {
        // The transport never throws for Customer.io's answers; this is our own failure (e.g. the database).
        return { verdict: 'retry', durationMs: 0, error: `Internal error: ${error instanceof Error ? error.message : String(error)}`, errorKind: 'network' };
      }
    },
    close: () => deps.sender.close(),
  };
}
