/**
 * Ordered delivery's pure decisions: an endpoint's `ordering` setting, the key a delivery is
 * ordered under (its endpoint and the webhook's profile), and what the repair pass does with a
 * queue whose head has not moved for a while.
 */
import type { ObjectId } from 'mongodb';
import { ChameleonError } from '../../errors.js';
import { ENDED_STATES, type DeliveryState } from '../deliveries/documents.js';

/** How an endpoint's deliveries are ordered: `none` (as they come), or `profile` (per profile, in publish order). */
export type Ordering = 'none' | 'profile';

/** The orderings, the default first. */
export const ORDERINGS: readonly Ordering[] = Object.freeze(['none', 'profile']);

/** Longest profile id ordered on (longer ones, never produced by the topic schemas, are not ordered). */
export const MAX_ORDER_PROFILE_LENGTH = 256;

/**
 * `ordering` as an endpoint's create or update takes it: one of {@link ORDERINGS}, `none` when absent.
 *
 * @example
 * parseOrdering(undefined); // 'none'
 * parseOrdering('profile'); // 'profile'
 * parseOrdering('fifo');    // throws CH_ERR_UNPROCESSABLE naming `ordering`
 */
export function parseOrdering(value: unknown): Ordering {
  if (value === undefined || value === null) return 'none';
  if (typeof value !== 'string' || !ORDERINGS.includes(value as Ordering)) {
    throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`ordering\` must be one of ${ORDERINGS.join(', ')}`);
  }
  return value as Ordering;
}

/** The profile a webhook is about (`data.profile.id`), or `undefined` when it has none. */
export function profileOf(data: Record<string, unknown>): string | undefined {
  const profile = data.profile;
  if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) return undefined;
  const id = (profile as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ORDER_PROFILE_LENGTH ? id : undefined;
}

/**
 * The key a delivery to `destination` of a webhook with `data` is ordered under, or `undefined`
 * when it is not ordered (the destination's ordering is not `profile`, or the webhook has no profile).
 *
 * @example
 * orderKeyOf({ id, ordering: 'profile' }, { profile: { id: 'p1' } }); // `${id.toHexString()}|p1`
 * orderKeyOf({ id, ordering: 'none' }, { profile: { id: 'p1' } });    // undefined
 */
export function orderKeyOf(destination: { id: ObjectId; ordering?: Ordering | undefined }, data: Record<string, unknown>): string | undefined {
  if (destination.ordering !== 'profile') return undefined;
  const profile = profileOf(data);
  return profile === undefined ? undefined : `${destination.id.toHexString()}|${profile}`;
}

/** What the repair pass does with a queue's head. */
export type HeadRepair = 'wait' | 'pop' | 'release';

/**
 * The repair pass's decision for a queue whose head has not moved for a while:
 * - its delivery ended (the process that ended it stopped before moving the queue on): `pop` it;
 * - it is held (the process that moved the queue stopped before releasing it): `release` it;
 * - it is pending and not held (in flight or waiting for a retry: the due drain and Agenda have it): `wait`;
 * - it has no document: `pop` once it is older than `settleMs` (publish stopped between queueing
 *   and writing it), else `wait` (publish is writing it now).
 */
export function headRepair(head: { state: DeliveryState; held?: boolean | undefined } | null, headId: ObjectId, now: Date, settleMs: number): HeadRepair {
  if (!head) return now.getTime() - headId.getTimestamp().getTime() > settleMs ? 'pop' : 'wait';
  if (ENDED_STATES.has(head.state)) return 'pop';
  return head.held ? 'release' : 'wait';
}
