/**
 * Endpoints as destinations of kind `endpoint`: the engine reads and updates them through
 * this source (over the endpoints repository and the coalesced endpoint state).
 */
import type { ObjectId } from 'mongodb';
import type { Destination, DestinationSource } from '../destinations/destination.js';
import type { EndpointDoc } from './documents.js';
import type { EndpointsRepo } from './endpoints-repo.js';
import type { EndpointStats } from './endpoint-stats.js';
import { matchesExperienceFilter } from './experience-filter.js';
import { WEBHOOK_TRANSPORT } from '../transport/webhook-transport.js';

/** An endpoint document as a destination (its document is the transport's target). */
export function endpointDestination(doc: EndpointDoc): Destination<EndpointDoc> {
  let destination = mapped.get(doc);
  if (!destination) {
    destination = toDestination(doc);
    mapped.set(doc, destination);
  }
  return destination;
}

/** Destinations of the (cached) endpoint documents publish reads, mapped once per document. */
const mapped = new WeakMap<EndpointDoc, Destination<EndpointDoc>>();

function toDestination(doc: EndpointDoc): Destination<EndpointDoc> {
  return {
    kind: 'endpoint',
    id: doc._id,
    account: doc.account,
    transport: WEBHOOK_TRANSPORT,
    name: doc.name,
    disabled: doc.disabled,
    disabledReason: doc.disabled_reason,
    topics: doc.topics,
    ordering: doc.ordering ?? 'none',
    accepts: (topic, data) => doc.topics.includes(topic) && matchesExperienceFilter(doc.experience_ids, data),
    target: doc,
  };
}

/** The `endpoint` destination kind. */
export class EndpointSource implements DestinationSource<EndpointDoc> {
  readonly kind = 'endpoint' as const;

  constructor(
    private readonly repo: EndpointsRepo,
    private readonly stats: EndpointStats,
  ) {}

  async byId(id: ObjectId): Promise<Destination<EndpointDoc> | null> {
    const doc = await this.repo.byId(id);
    return doc ? endpointDestination(doc) : null;
  }

  async enabledFor(account: string): Promise<Destination<EndpointDoc>[]> {
    return (await this.repo.enabledFor(account)).map(endpointDestination);
  }

  disable(id: ObjectId, reason: string): Promise<void> {
    return this.repo.disable(id, reason);
  }

  enable(id: ObjectId): Promise<void> {
    return this.repo.enable(id);
  }

  noteOutcome(id: ObjectId, at: Date, ok: boolean, error: string | null): void {
    this.stats.record(id, at, ok, error);
  }

  disableFailingSince(cutoff: Date, reason: string): Promise<ObjectId[]> {
    return this.repo.disableFailingSince(cutoff, reason);
  }

  start(): void {
    this.stats.start();
  }

  stop(): Promise<void> {
    return this.stats.stop();
  }

  flush(): Promise<void> {
    return this.stats.flush();
  }
}
