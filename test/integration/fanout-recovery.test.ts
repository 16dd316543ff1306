/**
 * Publish writes one document (the webhook with its `fanout`); each first attempt's delivery is
 * written with its outcome. The recovery sweep writes, from `fanout`, the deliveries a stop left
 * unwritten, and never touches the ones that were written.
 */
import { describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { ACCOUNT } from '../helpers/app.js';
import { FANOUT_WATERMARK_ID } from '../../lib/delivery/background/fanout-check.js';
import { AUTH, collections, createEndpoint, deliveryInState, requestsFor, sleep, topicData, until, useDeliveryApp, useReceivers } from './support/delivery.js';

const receiver = useReceivers();
const t = useDeliveryApp({ retrySchedule: [50, 50] }, { deleteEndpointsAfterEach: [AUTH] });

describe('fan-out recovery', () => {
  it('should write one document per publish, then the delivery with its first outcome', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const { id } = await t.hooks.publish(ACCOUNT.id, 'tour.started', topicData('tour.started') as never);
    const webhook = await collections(t.db.db).webhooks.findOne({ _id: new ObjectId(id) });
    expect(webhook?.fanout).toEqual([{ delivery_id: expect.any(ObjectId), endpoint_id: new ObjectId(endpoint.id) }]);
    const delivery = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    expect(delivery._id.equals(webhook!.fanout![0]!.delivery_id)).toBe(true);
    expect(delivery.attempts).toBe(1);
    expect(delivery.attempt_log).toHaveLength(1);
  });

  it('should write and attempt the deliveries a stop left unwritten, and leave the written ones alone', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const { webhooks, deliveries } = collections(t.db.db);
    // What a process killed during two first attempts leaves behind: webhooks with fan-out and no
    // delivery documents. One more webhook's delivery was written (succeeded) before the stop.
    // 10 s ago: behind the sweep's watermark already, so only its overlap window can find them.
    const past = new Date(Date.now() - 10_000);
    const make = () => ({ _id: new ObjectId(Math.floor(past.getTime() / 1000)), account: ACCOUNT.id, topic: 'tour.started', data: topicData('tour.started'), created_at: past });
    const lost = [make(), make()];
    const done = make();
    const lostDeliveryIds = lost.map(() => new ObjectId());
    const doneDeliveryId = new ObjectId();
    await webhooks.insertMany([
      ...lost.map((w, i) => ({ ...w, fanout: [{ delivery_id: lostDeliveryIds[i]!, endpoint_id: new ObjectId(endpoint.id) }] })),
      { ...done, fanout: [{ delivery_id: doneDeliveryId, endpoint_id: new ObjectId(endpoint.id) }] },
    ] as never);
    await deliveries.insertOne({
      _id: doneDeliveryId, account: ACCOUNT.id, webhook_id: done._id, endpoint_id: new ObjectId(endpoint.id), topic: 'tour.started', state: 'succeeded',
      attempts: 1, max_attempts: 3, lease_until: null, next_attempt_at: null, next_trigger: 'publish', attempt_log: [], last_status: 200, last_error: null,
      created_at: past, updated_at: past, completed_at: past,
    } as never);
    for (const [i, w] of lost.entries()) {
      const recovered = await until(async () => {
        const d = await deliveries.findOne({ _id: lostDeliveryIds[i]!, state: 'succeeded' });
        return d ?? undefined;
      }, 15_000, 'the lost delivery');
      expect(recovered.attempts).toBe(2); // the interrupted first attempt counts
      expect(recovered.attempt_log.map((a) => a.trigger)).toEqual(['recovery']);
      expect(requestsFor(target, w._id.toHexString())).toHaveLength(1);
    }
    await sleep(600);
    expect(requestsFor(target, done._id.toHexString())).toHaveLength(0);
    expect(await deliveries.countDocuments({ webhook_id: done._id })).toBe(1);
    const watermark = await t.db.db.collection<{ _id: string; value: Date }>('chameleon_state').findOne({ _id: FANOUT_WATERMARK_ID });
    expect(watermark?.value).toBeInstanceOf(Date);
  });
});
