/**
 * What a destination is, for the engine: somewhere an account's activity is delivered — an
 * `endpoint` (a signed webhook URL) or an `integration` (e.g. Customer.io). Each kind has a
 * {@link DestinationSource} (where its destinations are stored) and its destinations name the
 * transport that sends to them. Deliveries, attempts, retries, recovery and health are the
 * same for every kind.
 */
import type { ObjectId } from 'mongodb';
import type { DestinationKind } from '../deliveries/documents.js';

export type { DestinationKind };

/** One destination, as the engine sees it. */
export interface Destination<T = unknown> {
  readonly kind: DestinationKind;
  /** Its id (unique across kinds: an ObjectId). */
  readonly id: ObjectId;
  /** The account it belongs to. */
  readonly account: string;
  /** The name of the transport that sends to it (a key registered on the engine). */
  readonly transport: string;
  /** For people and logs. */
  readonly name: string;
  /** A disabled destination takes no deliveries (a ping or a manual retry still goes). */
  readonly disabled: boolean;
  readonly disabledReason: string | null;
  /** The topics / activity kinds it takes (a replay resends those only). */
  readonly topics: readonly string[];
  /**
   * `profile`: deliveries of the same profile reach it in publish order, one at a time (see
   * `ordering/order-gate.ts`). @defaultValue `'none'` when absent
   */
  readonly ordering?: 'none' | 'profile';
  /** Whether it takes this activity: its topics, plus any filter of its own. */
  accepts(topic: string, data: Record<string, unknown>): boolean;
  /** What its transport needs (the endpoint document, an integration's configuration). */
  readonly target: T;
}

/**
 * Where the destinations of one kind live. Implemented over a repository; the engine never
 * touches the collection itself.
 */
export interface DestinationSource<T = unknown> {
  readonly kind: DestinationKind;
  /** One destination by id, whatever its account (attempts), or `null` once deleted. */
  byId(id: ObjectId): Promise<Destination<T> | null>;
  /** The account's enabled destinations (publish's hot path: cache it). */
  enabledFor(account: string): Promise<Destination<T>[]>;
  /** Disables a destination (e.g. `410 Gone`). */
  disable(id: ObjectId, reason: string): Promise<void>;
  /** Enables it again (a successful ping). */
  enable(id: ObjectId): Promise<void>;
  /** Notes one attempt's outcome (coalesced bookkeeping such as `last_item_*`). */
  noteOutcome(id: ObjectId, at: Date, ok: boolean, error: string | null): void;
  /** Marks the destination in error with a message a person should see (e.g. credentials rejected). */
  markError?(id: ObjectId, message: string): Promise<void>;
  /** Disables the destinations that failed continuously since before `cutoff` (the sweep); returns their ids. */
  disableFailingSince?(cutoff: Date, reason: string): Promise<ObjectId[]>;
  /** Starts / stops background bookkeeping (flushes); both optional. */
  start?(): void;
  stop?(): Promise<void>;
  /** Writes pending bookkeeping now. */
  flush?(): Promise<void>;
}
