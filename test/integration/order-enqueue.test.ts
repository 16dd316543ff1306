/**
 * The order gate's enqueue on the publish path: a delivery takes its place in its key's queue
 * while the publish's webhook is being stored, and is written only once the webhook is; when the
 * webhook cannot be stored, the place is given up again, so the profile's next webhook is not held
 * behind a delivery that will never exist (the repair pass would otherwise drop it only after the
 * settle time). And the queue writes of one event-loop turn, grouped: appends keep their order
 * per key, and each caller hears its key's head.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { ObjectId, type Collection } from 'mongodb';
import { useTestDb } from '../helpers/db.js';
import { withCommandLog } from '../helpers/command-log.js';
import { Collections } from '../../lib/store/collections.js';
import { DeliveryClaims } from '../../lib/delivery/deliveries/delivery-claims.js';
import { DeliveryReads } from '../../lib/delivery/deliveries/delivery-reads.js';
import { OrderQueuesRepo, type OrderQueueDoc } from '../../lib/delivery/ordering/order-queues-repo.js';
import { OrderGate, type OrderedDelivery } from '../../lib/delivery/ordering/order-gate.js';
import type { DeliveryDoc } from '../../lib/delivery/deliveries/documents.js';
import { SILENT_LOGGER } from '../../lib/logger.js';

const LEASE_MS = 60_000;
const db = await useTestDb('oenq');
let deliveries: Collection<DeliveryDoc>;
let queues: Collection<OrderQueueDoc>;
let gate: OrderGate;

beforeAll(async () => {
  const collections = new Collections(db.db, 'oenq_');
  await collections.ensureIndexes();
  deliveries = collections.get<DeliveryDoc>('deliveries');
  queues = collections.get<OrderQueueDoc>('delivery_order');
  gate = new OrderGate({
    deliveries: new DeliveryClaims(deliveries),
    reads: new DeliveryReads(deliveries),
    queues: new OrderQueuesRepo(queues),
    leaseMs: LEASE_MS,
    settleMs: LEASE_MS,
    logger: SILENT_LOGGER,
  });
});

function item(key: string, endpointId: ObjectId): OrderedDelivery {
  return { key, fields: { account: 'acme', webhookId: new ObjectId(), destination: { kind: 'endpoint', id: endpointId }, topic: 'tour.started', maxAttempts: 3, trigger: 'publish' } };
}

/** A webhook insert that settles when told to. */
function pendingInsert(): { stored: Promise<void>; succeed(): void; fail(error: Error): void } {
  let succeed: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const stored = new Promise<void>((resolve, reject) => {
    succeed = resolve;
    fail = reject;
  });
  return { stored, succeed, fail };
}

/** Starts the enqueue of a new key's first delivery while its webhook insert is pending; resolves once its place is taken. */
async function enqueueWhileStoring(profile: string) {
  const endpoint = new ObjectId();
  const key = `${endpoint.toHexString()}|${profile}`;
  const insert = pendingInsert();
  const enqueued = gate.enqueue(item(key, endpoint), new Date(), insert.stored);
  await expect.poll(async () => (await queues.findOne({ _id: key }))?.queue.length ?? 0).toBe(1);
  return { endpoint, key, insert, enqueued };
}

describe('ordered enqueue on the publish path', () => {
  it('should take the place in line at once but write the delivery only once the webhook is stored', async () => {
    const { key, insert, enqueued } = await enqueueWhileStoring('a1');
    expect(await deliveries.countDocuments({ order_key: key })).toBe(0);
    insert.succeed();
    const head = await enqueued;
    expect(head).toMatchObject({ order_key: key, attempts: 1, state: 'pending' });
    const stored = (await deliveries.findOne({ _id: head!._id }))!;
    expect(stored.held).toBeUndefined();
    expect((await queues.findOne({ _id: key }))!.queue.map(String)).toEqual([head!._id.toHexString()]);
  });

  it('should give the place up and write nothing when the webhook cannot be stored, so the next one is the head', async () => {
    const { endpoint, key, insert, enqueued } = await enqueueWhileStoring('b2');
    insert.fail(new Error('the webhook insert failed'));
    await expect(enqueued).rejects.toThrow('the webhook insert failed');
    expect((await queues.findOne({ _id: key }))!.queue).toEqual([]);
    expect(await deliveries.countDocuments({ order_key: key })).toBe(0);

    const next = await gate.enqueue(item(key, endpoint), new Date(), Promise.resolve());
    expect(next).toMatchObject({ order_key: key, attempts: 1 });
  });

  it('should hold a delivery queued behind another and store it held, written once', async () => {
    const endpoint = new ObjectId();
    const key = `${endpoint.toHexString()}|c3`;
    const first = await gate.enqueue(item(key, endpoint), new Date());
    const second = await gate.enqueue(item(key, endpoint), new Date());
    expect(first).toBeDefined();
    expect(second).toBeUndefined();
    const docs = await deliveries.find({ order_key: key }).sort({ _id: 1 }).toArray();
    expect(docs.map((d) => [d.held === true, d.attempts])).toEqual([[false, 1], [true, 0]]);
  });
});

describe('queue writes of one event-loop turn', () => {
  it('should append with one ordered bulk write and one read of the heads, keeping each key\'s order', async () => {
    await withCommandLog(db.uri, db.dbName, async (client, seen) => {
      const repo = new OrderQueuesRepo(client.collection<OrderQueueDoc>('oenq_delivery_order'));
      const endpoint = new ObjectId();
      const [k1, k2, k3] = ['d1', 'd2', 'd3'].map((p) => `${endpoint.toHexString()}|${p}`) as [string, string, string];
      const ids = Array.from({ length: 6 }, () => new ObjectId());
      const now = new Date();
      const order: Array<[string, ObjectId]> = [[k1, ids[0]!], [k2, ids[1]!], [k1, ids[2]!], [k3, ids[3]!], [k1, ids[4]!], [k2, ids[5]!]];
      const heads = await Promise.all(order.map(([key, id]) => repo.push(key, endpoint, [id], now)));
      expect(seen.map((e) => e.commandName)).toEqual(['update', 'find']);
      expect(seen[0]!.command.ordered).toBe(true);
      expect(heads.map(String)).toEqual([ids[0], ids[1], ids[0], ids[3], ids[0], ids[1]].map(String));
      expect((await queues.findOne({ _id: k1 }))!.queue.map(String)).toEqual([ids[0], ids[2], ids[4]].map(String));
      expect((await queues.findOne({ _id: k2 }))!.queue.map(String)).toEqual([ids[1], ids[5]].map(String));

      seen.length = 0;
      // k1's head and k2's head end together; k3's only one too.
      const next = await Promise.all([repo.remove(k1, ids[0]!, new Date()), repo.remove(k2, ids[1]!, new Date()), repo.remove(k3, ids[3]!, new Date())]);
      expect(seen.map((e) => e.commandName)).toEqual(['update', 'find']);
      expect(next.map((id) => id?.toHexString())).toEqual([ids[2]!.toHexString(), ids[5]!.toHexString(), undefined]);
      expect((await queues.findOne({ _id: k3 }))!.queue).toEqual([]);
    });
  });

  it('should answer a lone append or removal with one findAndModify', async () => {
    await withCommandLog(db.uri, db.dbName, async (client, commands) => {
      const repo = new OrderQueuesRepo(client.collection<OrderQueueDoc>('oenq_delivery_order'));
      const endpoint = new ObjectId();
      const key = `${endpoint.toHexString()}|e5`;
      const [a, b] = [new ObjectId(), new ObjectId()];
      expect((await repo.push(key, endpoint, [a, b], new Date()))?.equals(a)).toBe(true);
      expect((await repo.remove(key, a, new Date()))?.equals(b)).toBe(true);
      expect(commands.map((e) => e.commandName)).toEqual(['findAndModify', 'findAndModify']);
    });
  });
});
