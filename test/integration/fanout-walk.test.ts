/**
 * The fan-out check's walk (`fanout-check.ts`): one query per pass, read in batches, over more
 * webhooks than a batch holds. Before, each batch was its own sorted and limited query, which on a
 * server that cannot serve an `_id` range from its index (the test server) scanned the whole
 * collection each time: tens of scans per sweep at a high publish rate, holding up the hot path.
 */
import { describe, it, expect } from 'vitest';
import { ObjectId } from 'mongodb';
import { useTestDb } from '../helpers/db.js';
import { withCommandLog } from '../helpers/command-log.js';
import { Collections } from '../../lib/store/collections.js';
import { FanoutCheck } from '../../lib/delivery/background/fanout-check.js';
import { WebhooksRepo } from '../../lib/delivery/deliveries/webhooks-repo.js';
import { DeliveryClaims } from '../../lib/delivery/deliveries/delivery-claims.js';
import { StateRepo, type StateDoc } from '../../lib/delivery/background/state-repo.js';
import { newDelivery } from '../../lib/delivery/deliveries/delivery-fields.js';
import type { DeliveryDoc, WebhookDoc } from '../../lib/delivery/deliveries/documents.js';

const db = await useTestDb('fwalk');
const COUNT = 2_500;
/** The webhooks whose delivery a stop left unwritten: first, last, and either side of the batch boundaries. */
const LOST = [0, 999, 1000, 1999, 2000, COUNT - 1];

describe('fan-out check walk', () => {
  it('should find every unwritten delivery among 2,500 webhooks with one query, then have nothing left to do', async () => {
    const collections = new Collections(db.db, 'fwalk_');
    await collections.ensureIndexes();
    const endpointId = new ObjectId();
    const at = new Date(Date.now() - 20_000);
    const webhooks: WebhookDoc[] = Array.from({ length: COUNT }, () => ({
      _id: new ObjectId(Math.floor(at.getTime() / 1000)),
      account: 'acme',
      topic: 'tour.started',
      data: {},
      created_at: at,
      fanout: [{ delivery_id: new ObjectId(), endpoint_id: endpointId }],
    }));
    // A webhook without fan-out (nothing started at publish) is never looked at for deliveries.
    await collections.get<WebhookDoc>('webhooks').insertMany([...webhooks, { _id: new ObjectId(Math.floor(at.getTime() / 1000)), account: 'acme', topic: 'tour.started', data: {}, created_at: at }]);
    const written = webhooks
      .filter((_, i) => !LOST.includes(i))
      .map((w) => ({ ...newDelivery({ account: 'acme', webhookId: w._id, destination: { kind: 'endpoint', id: endpointId }, topic: w.topic, maxAttempts: 3, trigger: 'publish' }, at, 0, false), _id: w.fanout![0]!.delivery_id, state: 'succeeded' as const }));
    await collections.get<DeliveryDoc>('deliveries').insertMany(written);

    await withCommandLog(db.uri, db.dbName, async (client, seen) => {
      const check = new FanoutCheck(
        new WebhooksRepo(client.collection<WebhookDoc>('fwalk_webhooks')),
        new DeliveryClaims(client.collection<DeliveryDoc>('fwalk_deliveries')),
        new StateRepo(client.collection<StateDoc>('fwalk_state')),
        { settleMs: 1_000, retentionMs: 60_000, maxAttempts: 3 },
      );
      expect(await check.run()).toBe(LOST.length);
      const onWebhooks = seen.filter((e) => e.command[e.commandName] === 'fwalk_webhooks' || e.commandName === 'getMore');
      expect(onWebhooks.filter((e) => e.commandName === 'find')).toHaveLength(1);
      expect(await check.run()).toBe(0);
    });
    const recovered = await collections.get<DeliveryDoc>('deliveries').find({ _id: { $in: LOST.map((i) => webhooks[i]!.fanout![0]!.delivery_id) } }).toArray();
    expect(recovered).toHaveLength(LOST.length);
    // Written as the interrupted first attempt left them: counted, lease over, due for the drain.
    for (const d of recovered) expect(d).toMatchObject({ state: 'pending', attempts: 1, lease_until: null, next_trigger: 'recovery' });
    expect(await collections.get<DeliveryDoc>('deliveries').countDocuments({})).toBe(COUNT);
  });
});
