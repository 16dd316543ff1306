/**
 * Ordered delivery per (endpoint, profile). Each key has a queue (`order-queues-repo.ts`) of its
 * deliveries that have not ended, in publish order; only its head is ever attempted, the others
 * are stored `held` (not due). Publish and replay queue a delivery BEFORE writing it, then write
 * it held, or claimed for its first attempt when it is the head. When a delivery ends (succeeded,
 * failed, skipped, cancelled) it leaves the queue and the next one is released and attempted at
 * once in this process. Retries of the head follow the usual schedule (Agenda, the due drain).
 *
 * Crashes: every step is a single-document atomic write, and each window a `kill -9` can leave
 * is repaired by {@link OrderGate.repair} (a step of the sweep, in every process): a head that
 * ended but was not removed is removed, a head left held is released, a head queued by a publish
 * that died before writing it is dropped once older than the settle time. A claimed head whose
 * process died is taken up by the due drain when its lease runs out, like any attempt.
 *
 * Manual retry and replay: a manual retry of an ENDED delivery sends it again at once, outside the
 * order (an operator's explicit choice; the queue has moved on); a held one cannot be retried (it is
 * sent in its turn); the head can (it is the one being delivered). A replay queues its deliveries
 * behind the key's pending ones, in the replayed webhooks' publish order.
 */
import { ObjectId } from 'mongodb';
import type { Logger } from '../../logger.js';
import type { AttemptTrigger, DeliveryDoc } from '../deliveries/documents.js';
import type { DeliveryClaims } from '../deliveries/delivery-claims.js';
import { newDelivery, type DestinationRef } from '../deliveries/delivery-fields.js';
import type { DeliveryReads } from '../deliveries/delivery-reads.js';
import type { OrderQueuesRepo } from './order-queues-repo.js';
import { headRepair } from './order-key.js';

/** Queues whose head has not moved for this long are looked at by the repair pass. */
export const ORDER_STALL_MS = 2_000;
/** Queues the repair pass looks at per run. */
const REPAIR_PAGE = 1000;
/** An empty queue untouched for this long is dropped (its profile had nothing pending). */
export const ORDER_IDLE_MS = 60_000;

/** What the gate needs. */
export interface OrderGateDeps {
  deliveries: DeliveryClaims;
  /** Where the repair pass reads a head's state. */
  reads: Pick<DeliveryReads, 'statesOf'>;
  queues: OrderQueuesRepo;
  leaseMs: number;
  /** How old a queued id with no document must be before the repair pass drops it. */
  settleMs: number;
  logger: Logger;
}

/** One delivery to create in order. */
export interface OrderedDelivery {
  key: string;
  fields: { account: string; webhookId: ObjectId; destination: DestinationRef; topic: string; maxAttempts: number; trigger: AttemptTrigger };
}

/** Attempts a delivery this process has claimed. */
export type AttemptClaimedDelivery = (doc: DeliveryDoc) => Promise<unknown>;

/** Queues, holds and releases ordered deliveries. */
export class OrderGate {
  private attempt: AttemptClaimedDelivery | undefined;
  private nudge: (() => void) | undefined;

  constructor(private readonly deps: OrderGateDeps) {}

  /** How released heads are attempted in this process, and how the due drain is woken (set once by the engine). */
  use(attempt: AttemptClaimedDelivery, nudge: () => void): void {
    this.attempt = attempt;
    this.nudge = nudge;
  }

  /**
   * Queues and stores one ordered delivery of a publish; returns it claimed for its first attempt
   * (the caller starts it) when it is its key's head, or `undefined` when it is held. `stored` is
   * the publish's webhook insert: the delivery is queued meanwhile (its place in line is taken at
   * once) but written only once the webhook is stored, since another process may release and send
   * it from then on. If the webhook cannot be stored, the place is given up again (best effort: the
   * repair pass drops a place with no delivery after the settle time) and the error is thrown.
   */
  async enqueue(item: OrderedDelivery, now: Date, stored: Promise<unknown> = Promise.resolve()): Promise<DeliveryDoc | undefined> {
    const { deliveries, queues, leaseMs } = this.deps;
    const id = new ObjectId();
    const [queued, webhook] = await Promise.allSettled([queues.push(item.key, item.fields.destination.id, [id], now), stored]);
    if (queued.status === 'rejected') throw queued.reason;
    if (webhook.status === 'rejected') {
      await queues.remove(item.key, id, new Date()).catch(() => undefined);
      throw webhook.reason;
    }
    const isHead = queued.value?.equals(id) === true;
    const doc = { ...newDelivery(item.fields, now, leaseMs, isHead, { key: item.key, held: !isHead }), _id: id };
    // A head is stored claimed: its lease runs from now (not from the publish's start), as its attempt
    // starts right after and other processes may take it once the lease is over.
    if (isHead) doc.lease_until = new Date(Date.now() + leaseMs);
    await deliveries.insertOne(doc);
    if (isHead) return doc;
    // The head may have ended between our queueing and our write (its release found nothing to release).
    if ((await queues.head(item.key))?.equals(id)) return (await deliveries.claimHeld(id, new Date(), leaseMs)) ?? undefined;
    return undefined;
  }

  /**
   * Queues and stores a replay's ordered deliveries, per key in the given (publish) order; the heads
   * are stored due now, for the due drain. Returns how many it stored.
   */
  async enqueueReplay(items: OrderedDelivery[], now: Date): Promise<number> {
    const byKey = new Map<string, OrderedDelivery[]>();
    for (const item of items) byKey.set(item.key, [...(byKey.get(item.key) ?? []), item]);
    const groups = [...byKey.entries()];
    // A few keys at a time: one queue write, one insert and one check per key.
    for (let i = 0; i < groups.length; i += 20) await Promise.all(groups.slice(i, i + 20).map(([key, group]) => this.replayKey(key, group, now)));
    this.nudge?.();
    return items.length;
  }

  private async replayKey(key: string, group: OrderedDelivery[], now: Date): Promise<void> {
    const { deliveries, queues, leaseMs } = this.deps;
    const ids = group.map(() => new ObjectId());
    const head = await queues.push(key, group[0]!.fields.destination.id, ids, now);
    const docs = group.map((item, i) => ({ ...newDelivery(item.fields, now, leaseMs, false, { key, held: !head?.equals(ids[i]!) }), _id: ids[i]! }));
    await deliveries.insert(docs);
    if (head && ids.some((id) => id.equals(head))) return;
    const after = await queues.head(key);
    if (after && ids.some((id) => id.equals(after))) await deliveries.releaseHeld(after, new Date());
  }

  /**
   * A delivery of `key` has ended: it leaves its queue and the next one is released and attempted
   * in this process. Errors are logged: the repair pass finishes what this could not.
   */
  async ended(doc: Pick<DeliveryDoc, '_id' | 'order_key'>): Promise<void> {
    if (!doc.order_key) return;
    try {
      const next = await this.deps.queues.remove(doc.order_key, doc._id, new Date());
      if (!next) return;
      const claimed = await this.deps.deliveries.claimHeld(next, new Date(), this.deps.leaseMs);
      if (claimed) await this.attempt?.(claimed);
    } catch (error) {
      this.deps.logger.warn({ err: error, delivery: doc._id.toHexString() }, 'chameleon-hooks: could not release the next ordered delivery (the sweep will)');
    }
  }

  /**
   * The sweep's step for ordered delivery: repairs queues whose head has not moved for a while
   * (see the module comment), and drops queues empty for {@link ORDER_IDLE_MS}. Released heads
   * are due now (the due drain sends them). Returns how many queues it moved on.
   */
  async repair(now = new Date()): Promise<number> {
    const { deliveries, reads, queues, settleMs } = this.deps;
    const stalled = await queues.stalled(new Date(now.getTime() - ORDER_STALL_MS), REPAIR_PAGE);
    let moved = 0;
    for (const queue of stalled) {
      let head = queue.head;
      // A few steps per queue: several ended heads in a row move on in one pass.
      for (let step = 0; step < 20; step++) {
        const state = (await reads.statesOf([head])).get(head.toHexString()) ?? null;
        const action = headRepair(state, head, now, settleMs);
        if (action === 'wait') break;
        moved++;
        if (action === 'release') {
          await deliveries.releaseHeld(head, now);
          break;
        }
        const next = await queues.remove(queue.key, head, now);
        if (!next) break;
        head = next;
      }
    }
    await queues.dropIdle(new Date(now.getTime() - ORDER_IDLE_MS));
    if (moved > 0) {
      this.deps.logger.info({ count: moved }, 'chameleon-hooks: moved on ordered-delivery queues a stop had left waiting');
      this.nudge?.();
    }
    return moved;
  }
}
