// Tests for lib/delivery/attempts/attempt-runner.ts when the engine stops: a retry job that starts
// after `stop()` claims nothing (no attempt counted, no lease, `rev` kept), so the delivery stays due
// for any process's due drain instead of being leased by a process about to close its database.
import { describe, it, expect, beforeAll } from 'vitest';
import { ObjectId } from 'mongodb';
import { parseOptions } from '../../lib/options.js';
import { Collections } from '../../lib/store/collections.js';
import { AccountStore } from '../../lib/accounts/account-store.js';
import { AttemptRunner } from '../../lib/delivery/attempts/attempt-runner.js';
import { KeyedLimiter } from '../../lib/delivery/attempts/limiter.js';
import { DeliveryClaims } from '../../lib/delivery/deliveries/delivery-claims.js';
import { newDelivery } from '../../lib/delivery/deliveries/delivery-fields.js';
import { WebhooksRepo } from '../../lib/delivery/deliveries/webhooks-repo.js';
import type { DeliveryDoc, WebhookDoc } from '../../lib/delivery/deliveries/documents.js';
import { DestinationRegistry } from '../../lib/delivery/destinations/registry.js';
import { useTestDb } from '../helpers/db.js';

let collections: Collections;
let runner: AttemptRunner;
let claims: DeliveryClaims;
const scheduled: ObjectId[] = [];

beforeAll(async () => {
  const { db, client } = await useTestDb();
  const config = parseOptions({ mongo: { client, dbName: db.databaseName } });
  collections = new Collections(db, 'stop_');
  await collections.ensureIndexes();
  claims = new DeliveryClaims(collections.get<DeliveryDoc>('deliveries'));
  runner = new AttemptRunner({
    deliveries: claims,
    webhooks: new WebhooksRepo(collections.get<WebhookDoc>('webhooks')),
    destinations: new DestinationRegistry(),
    accounts: new AccountStore(collections, config.accounts),
    limiter: new KeyedLimiter(4, 4),
    schedule: async (id) => void scheduled.push(id),
    policy: { retrySchedule: config.delivery.retrySchedule, jitter: 0 },
    leaseMs: 4000,
    logger: config.logger,
  });
});

/** A pending delivery due now, as a retry job finds it. */
async function dueDelivery(): Promise<DeliveryDoc> {
  const now = new Date(Date.now() - 1000);
  const doc = { ...newDelivery({ account: 'acct', webhookId: new ObjectId(), destination: { kind: 'endpoint', id: new ObjectId() }, topic: 'tour.started', maxAttempts: 5, trigger: 'publish' }, now, 0, false), attempts: 1 };
  await claims.insert([doc]);
  return doc;
}

describe('AttemptRunner.attemptById', () => {
  it('should take a due delivery by its retry job while running (here: ended, its endpoint is gone)', async () => {
    const doc = await dueDelivery();
    await runner.attemptById(doc._id, 'retry', doc.next_attempt_at!, doc.rev);
    const after = await collections.get<DeliveryDoc>('deliveries').findOne({ _id: doc._id });
    expect(after).toMatchObject({ state: 'cancelled', attempts: 2 });
  });

  it('should claim nothing once stopped: no attempt counted, no lease, the same rev, still due', async () => {
    const doc = await dueDelivery();
    runner.stop();
    expect(await runner.attemptById(doc._id, 'retry', doc.next_attempt_at!, doc.rev)).toBeUndefined();
    expect(await runner.attemptById(doc._id, 'retry')).toBeUndefined();
    const after = await collections.get<DeliveryDoc>('deliveries').findOne({ _id: doc._id });
    expect(after).toMatchObject({ state: 'pending', attempts: 1, lease_until: null, next_attempt_at: doc.next_attempt_at, rev: doc.rev });
    expect(scheduled).toEqual([]);
  });
});
