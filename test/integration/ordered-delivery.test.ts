// Ordered delivery per profile (endpoint `ordering: "profile"`): the API field, held deliveries, release on
// success / failure / cancellation, other profiles never held back, manual retry and replay, and the repair pass.
import request from 'supertest';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ACCOUNT } from '../helpers/app.js';
import { AUTH, bodyOf, collections, createEndpoint, deliveryInState, deliveryOf, nonPings, sleep, topicData, until, useDeliveryApp, useReceivers } from './support/delivery.js';

const receiver = useReceivers();
const t = useDeliveryApp({ retrySchedule: [100, 100, 100] }, { deleteEndpointsAfterEach: [AUTH] });

/** Profile ids (24-hex, as the topic schemas require) by name. */
const P = Object.fromEntries(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hal', 'ivan', 'judy'].map((n, i) => [n, (i + 1).toString(16).padStart(2, '0').repeat(12)])) as Record<'alice' | 'bob' | 'carol' | 'dave' | 'erin' | 'frank' | 'gina' | 'hal' | 'ivan' | 'judy', string>;

/** Publishes a `tour.started` for `profile`; returns the webhook id. */
async function publish(profile: string): Promise<string> {
  const data = topicData('tour.started');
  (data.profile as { id: string }).id = profile;
  return (await t.hooks.publish(ACCOUNT.id, 'tour.started', data as never)).id;
}

/** Makes the receiver hold every answer (`status`) until the returned function is called. */
function holdAnswers(target: { setHandler: (h: () => Promise<{ status: number }>) => void }, status: number): () => void {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  target.setHandler(async () => {
    await gate;
    return { status };
  });
  return () => release();
}

function queues() {
  return t.db.db.collection<{ _id: string; queue: ObjectId[] }>('chameleon_delivery_order');
}

describe('endpoint `ordering`', () => {
  it('should default to none, take profile, and show it', async () => {
    const target = await receiver();
    const plain = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    expect(plain).toMatchObject({ ordering: 'none' });
    const ordered = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    expect(ordered).toMatchObject({ ordering: 'profile' });
    const got = await request(t.app).get(`/v3/edit/webhooks/${ordered.id}`).set(AUTH).expect(200);
    expect(got.body.webhook.ordering).toBe('profile');
    const list = await request(t.app).get('/v3/edit/webhooks').set(AUTH).expect(200);
    expect(list.body.webhooks.map((w: { ordering: string }) => w.ordering).sort()).toEqual(['none', 'profile']);
  });

  it.each([['PROFILE'], ['fifo'], [1], [true], [{ $ne: 'none' }], [['profile']], ['profile ']])('should answer 422 naming the field for ordering %j, and store nothing', async (value) => {
    const target = await receiver();
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url: target.url, topics: ['tour.started'], ordering: value }).expect(422);
    expect(res.body.code).toBe(422);
    expect(res.body.messages.join(' ')).toContain('`ordering` must be one of none, profile');
    expect(await collections(t.db.db).endpoints.countDocuments({})).toBe(0);
  });

  it('should be changed by the service update, with the same check', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const updated = await t.hooks.endpoints.update(ACCOUNT.id, endpoint.id, { ordering: 'profile' });
    expect(updated.ordering).toBe('profile');
    await expect(t.hooks.endpoints.update(ACCOUNT.id, endpoint.id, { ordering: 'yes' })).rejects.toMatchObject({ code: 'CH_ERR_UNPROCESSABLE' });
    expect((await t.hooks.endpoints.list(ACCOUNT.id))[0]!.ordering).toBe('profile');
  });
});

describe('ordered delivery per profile', () => {
  it('should hold a profile\'s later webhooks until the earlier one succeeded, without holding back other profiles', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    // alice's receiver fails until bob's webhook has arrived: bob, published after alice's, must not wait for them.
    let bobSeen = false;
    target.setHandler((_req, body) => {
      const { data } = JSON.parse(body.toString('utf8')) as { data: { profile: { id: string } } };
      if (data.profile.id === P.bob) bobSeen = true;
      return { status: data.profile.id === P.alice && !bobSeen ? 500 : 200 };
    });
    const a1 = await publish(P.alice);
    const a2 = await publish(P.alice);
    const b1 = await publish(P.bob);
    const a3 = await publish(P.alice);
    const held = await deliveryOf(t.db.db, a3, endpoint.id);
    expect(held).toMatchObject({ held: true, order_key: `${endpoint.id}|${P.alice}` });
    for (const id of [a1, a2, a3, b1]) await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    const sent = nonPings(target).map((r) => bodyOf(r).id);
    // alice: a1 (500 until bob arrived), then a1 (200), a2, a3: nothing of a2/a3 before a1 succeeded.
    const alice = sent.filter((id) => id !== b1);
    expect(alice.slice(-2)).toEqual([a2, a3]);
    expect(new Set(alice.slice(0, -2))).toEqual(new Set([a1]));
    // a1 could only succeed once bob's had arrived: had bob waited behind alice, a1 would have ended failed.
    expect(sent.indexOf(b1)).toBeLessThan(sent.lastIndexOf(a1));
    expect(await queues().countDocuments({ 'queue.0': { $exists: true } })).toBe(0);
  });

  it('should release the next delivery when the earlier one ended failed', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    // The first one's id is only known once published: fail everything until then.
    target.setHandler(() => ({ status: 500 }));
    const first = await publish(P.carol);
    target.setHandler((_req, body) => ({ status: JSON.parse(body.toString('utf8')).id === first ? 500 : 200 }));
    const second = await publish(P.carol);
    expect((await deliveryOf(t.db.db, second, endpoint.id))!.held).toBe(true);
    const failed = await deliveryInState(t.db.db, first, endpoint.id, 'failed');
    expect(failed.attempts).toBe(4);
    const done = await deliveryInState(t.db.db, second, endpoint.id, 'succeeded');
    expect(done.attempt_log[0]!.at.getTime()).toBeGreaterThanOrEqual(failed.completed_at!.getTime());
  });

  it('should show a held delivery as held, refuse its manual retry, and re-send an ended one out of order', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    // The first one's answer waits until the checks of the held one are done.
    const answer = holdAnswers(target, 200);
    const d1 = await publish(P.dave);
    const d2 = await publish(P.dave);
    const heldDoc = await deliveryOf(t.db.db, d2, endpoint.id);
    const shown = await request(t.app).get(`/v3/edit/deliveries/${heldDoc!._id.toHexString()}`).set(AUTH).expect(200);
    expect(shown.body.delivery).toMatchObject({ state: 'held', attempts_count: 0 });
    const refused = await request(t.app).post(`/v3/edit/deliveries/${heldDoc!._id.toHexString()}/retry`).set(AUTH).expect(422);
    expect(refused.body.messages.join(' ')).toContain('held until the earlier deliveries');
    const listed = await request(t.app).get(`/v3/edit/webhooks/${endpoint.id}/deliveries?state=held`).set(AUTH).expect(200);
    expect(listed.body.deliveries.map((d: { webhook_id: string }) => d.webhook_id)).toEqual([d2]);
    answer();
    const ended = await deliveryInState(t.db.db, d1, endpoint.id, 'succeeded');
    await deliveryInState(t.db.db, d2, endpoint.id, 'succeeded');
    target.setHandler(() => ({ status: 200 }));
    const again = await request(t.app).post(`/v3/edit/deliveries/${ended._id.toHexString()}/retry`).set(AUTH).expect(200);
    expect(again.body.delivery).toMatchObject({ state: 'succeeded' });
    // d1 (more than once if its held answer outlasted the timeout), then d2, then d1 again by hand.
    const sent = nonPings(target).map((r) => bodyOf(r).id);
    expect(sent.slice(-2)).toEqual([d2, d1]);
    expect(new Set(sent.slice(0, -2))).toEqual(new Set([d1]));
  });

  it('should not order webhooks without a profile, nor deliveries to an endpoint with ordering none', async () => {
    const target = await receiver();
    const ordered = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['alert.triggered'], ordering: 'profile' });
    const plain = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const alert = (await t.hooks.publish(ACCOUNT.id, 'alert.triggered', topicData('alert.triggered') as never)).id;
    const tour = await publish(P.erin);
    const a = await deliveryInState(t.db.db, alert, ordered.id, 'succeeded');
    const b = await deliveryInState(t.db.db, tour, plain.id, 'succeeded');
    expect(a.order_key).toBeUndefined();
    expect(b.order_key).toBeUndefined();
    expect(await queues().countDocuments({})).toBe(0);
  });

  it('should cancel held deliveries and drop the queues when the endpoint is deleted', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    target.setHandler(() => ({ status: 500 }));
    const f1 = await publish(P.frank);
    const f2 = await publish(P.frank);
    await request(t.app).delete(`/v3/edit/webhooks/${endpoint.id}`).set(AUTH).expect(200);
    for (const id of [f1, f2]) {
      const doc = await until(async () => {
        const d = await deliveryOf(t.db.db, id, endpoint.id);
        return d && d.state !== 'pending' ? d : undefined;
      });
      expect(doc.state).toBe('cancelled');
    }
    expect(await queues().countDocuments({})).toBe(0);
  });

  it('should cancel the held ones in turn when the endpoint answered 410 Gone and was disabled', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    // The 410 is answered once all three are published (a disabled endpoint takes no new webhooks).
    const answer = holdAnswers(target, 410);
    const ids = [await publish(P.judy), await publish(P.judy), await publish(P.judy)];
    answer();
    const first = await deliveryInState(t.db.db, ids[0]!, endpoint.id, 'failed');
    expect(first.last_error).toContain('410');
    for (const id of ids.slice(1)) {
      const doc = await deliveryInState(t.db.db, id, endpoint.id, 'cancelled');
      expect(doc.attempt_log).toEqual([]);
      expect(doc.last_error).toContain('disabled');
    }
    expect(nonPings(target)).toHaveLength(1);
  });

  it('should replay in publish order per profile, behind what is pending', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    const since = new Date();
    const ids = [await publish(P.gina), await publish(P.hal), await publish(P.gina), await publish(P.gina)];
    for (const id of ids) await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    // Slow answers: the replay's deliveries of gina queue up behind each other.
    target.setHandler(() => ({ status: 200, delayMs: 50 }));
    const before = nonPings(target).length;
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/replay`).set(AUTH).send({ since: since.toISOString() }).expect(202);
    expect(res.body.replay.deliveries).toBe(4);
    const { deliveries } = collections(t.db.db);
    await until(async () => (await deliveries.countDocuments({ endpoint_id: new ObjectId(endpoint.id), topic: 'tour.started', state: 'succeeded' })) === 8, 15_000, 'the replay delivered');
    const replayed = nonPings(target).slice(before).map((r) => bodyOf(r).id);
    expect(replayed.filter((id) => id !== ids[1])).toEqual([ids[0], ids[2], ids[3]]);
    expect(replayed).toContain(ids[1]);
  });
});

describe('the repair pass', () => {
  it('should move on a queue whose ended head was not removed, release a held head, and drop a head never written', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    target.setHandler(() => ({ status: 200 }));
    const i1 = await publish(P.ivan);
    await deliveryInState(t.db.db, i1, endpoint.id, 'succeeded');
    const { deliveries } = collections(t.db.db);
    const key = `${endpoint.id}|${P.ivan}`;
    // As a kill -9 would leave it: the ended head still queued (and a phantom id before it, from a
    // publish that died between queueing and writing), the next one held, the head unmoved for long.
    const ended = await deliveryOf(t.db.db, i1, endpoint.id);
    const phantom = ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 3600);
    const webhook = await collections(t.db.db).webhooks.findOne({ _id: new ObjectId(i1) });
    const heldId = new ObjectId();
    await deliveries.insertOne({ ...ended!, _id: heldId, state: 'pending', held: true, attempts: 0, attempt_log: [], next_attempt_at: null, completed_at: null, webhook_id: webhook!._id });
    const old = new Date(Date.now() - 60_000);
    await queues().updateOne({ _id: key }, { $set: { queue: [phantom, ended!._id, heldId], moved_at: old } }, { upsert: true });
    const before = nonPings(target).length;
    const released = await until(async () => {
      const d = await deliveries.findOne({ _id: heldId });
      return d?.state === 'succeeded' ? d : undefined;
    }, 10_000, 'the held delivery released and sent');
    expect(released.held).toBe(false);
    expect(nonPings(target).length).toBe(before + 1);
    await until(async () => ((await queues().findOne({ _id: key }))?.queue.length ?? 0) === 0, 5000, 'the queue emptied');
  });

  it('should drop queues empty for a minute, and keep recent or non-empty ones', async () => {
    const target = await receiver();
    await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    const long = new Date(Date.now() - 120_000);
    const endpointId = new ObjectId();
    await queues().insertMany([
      { _id: 'idle', endpoint_id: endpointId, queue: [], moved_at: long, updated_at: long },
      { _id: 'recent', endpoint_id: endpointId, queue: [], moved_at: new Date(), updated_at: new Date() },
    ] as never[]);
    await until(async () => (await queues().countDocuments({ _id: 'idle' })) === 0, 5000, 'the idle queue dropped');
    expect(await queues().countDocuments({ _id: 'recent' })).toBe(1);
    await queues().deleteMany({ endpoint_id: endpointId });
  });

  it('should leave a fresh unwritten head alone (publish is writing it)', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], ordering: 'profile' });
    const key = `${endpoint.id}|${P.judy}`;
    const fresh = new ObjectId();
    await queues().updateOne({ _id: key }, { $set: { queue: [fresh], moved_at: new Date(Date.now() - 60_000) } }, { upsert: true });
    await sleep(600); // the sweep runs every 200 ms in these tests
    expect((await queues().findOne({ _id: key }))!.queue).toEqual([fresh]);
  });
});
