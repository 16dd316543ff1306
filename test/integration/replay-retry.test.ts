// Manual redelivery (POST /v3/edit/deliveries/:id/retry) and replay since a time (POST /v3/edit/webhooks/:id/replay).
import request from 'supertest';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, OTHER_ACCOUNT } from '../helpers/app.js';
import { AUTH, bodyOf, collections, createEndpoint, deliveryInState, deliveryOf, deliveryWhen, nonPings, publishFixture, requestsFor, sleep, until, useDeliveryApp, useReceivers } from './support/delivery.js';

const receiver = useReceivers();
const t = useDeliveryApp({ retrySchedule: [50, 50, 50] }, { deleteEndpointsAfterEach: [AUTH] });

async function publish(topic: 'tour.started' | 'survey.started' = 'tour.started', experienceId?: string, account = ACCOUNT.id): Promise<string> {
  return (await publishFixture(t.hooks, topic, { experienceId, account })).id;
}

function retry(deliveryId: ObjectId): request.Test {
  return request(t.app).post(`/v3/edit/deliveries/${deliveryId.toHexString()}/retry`).set(AUTH);
}

describe('POST /v3/edit/deliveries/:id/retry', () => {
  it('should make exactly one more attempt of an exhausted delivery, which can succeed', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 500 }));
    const id = await publish();
    const failed = await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    expect(failed.attempts).toBe(4);
    target.setHandler(() => ({ status: 200, body: 'fixed' }));
    const res = await retry(failed._id).expect(200);
    expect(res.body.delivery).toMatchObject({ id: failed._id.toHexString(), webhook_id: id, state: 'succeeded', attempts_count: 5 });
    expect(res.body.delivery.attempts.map((a: { status: number; trigger: string }) => [a.status, a.trigger])).toEqual([
      [500, 'publish'],
      [500, 'retry'],
      [500, 'retry'],
      [500, 'retry'],
      [200, 'manual'],
    ]);
    expect(requestsFor(target, id)).toHaveLength(5);
    expect(new Set(requestsFor(target, id).map((r) => bodyOf(r).id))).toEqual(new Set([id]));
  });

  it('should make exactly one more attempt of an exhausted delivery that fails again, and no retries after it', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 500 }));
    const id = await publish();
    const failed = await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    const res = await retry(failed._id).expect(200);
    expect(res.body.delivery).toMatchObject({ state: 'failed', attempts_count: 5 });
    await sleep(500);
    expect(requestsFor(target, id)).toHaveLength(5);
    expect((await deliveryOf(t.db.db, id, endpoint.id))!.state).toBe('failed');
  });

  it('should re-send a succeeded delivery with the same webhook id', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const id = await publish();
    const succeeded = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    const res = await retry(succeeded._id).expect(200);
    expect(res.body.delivery).toMatchObject({ state: 'succeeded', attempts_count: 2, webhook_id: id });
    const sent = requestsFor(target, id);
    expect(sent).toHaveLength(2);
    expect(sent.map((r) => bodyOf(r).id)).toEqual([id, id]);
    expect(Date.parse(bodyOf(sent[1]!).sent_at)).toBeGreaterThan(Date.parse(bodyOf(sent[0]!).sent_at));
  });

  it('should make exactly one attempt when a succeeded delivery is re-sent and fails', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const id = await publish();
    const succeeded = await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    target.setHandler(() => ({ status: 500 }));
    const res = await retry(succeeded._id).expect(200);
    expect(res.body.delivery).toMatchObject({ state: 'failed', attempts_count: 2 });
    await sleep(400);
    expect(requestsFor(target, id)).toHaveLength(2);
    expect((await deliveryOf(t.db.db, id, endpoint.id))!.state).toBe('failed');
  });

  it('should attempt a delivery that failed with 410 once, even though its endpoint is disabled', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 410 }));
    const id = await publish();
    const gone = await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    await until(async () => (await collections(t.db.db).endpoints.findOne({ _id: new ObjectId(endpoint.id) }))?.disabled);
    target.setHandler(() => ({ status: 503 }));
    const res = await retry(gone._id).expect(200);
    expect(res.body.delivery).toMatchObject({ state: 'failed', attempts_count: 2 });
    expect(res.body.delivery.attempts.map((a: { status: number }) => a.status)).toEqual([410, 503]);
    await sleep(400);
    expect(requestsFor(target, id)).toHaveLength(2);
  });

  it('should answer 422 while an attempt of the delivery is in flight', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    // The first attempt fails (its delivery is written then); the retry hangs while we ask for another.
    let calls = 0;
    target.setHandler(() => (++calls === 1 ? { status: 500 } : { status: 200, delayMs: 600 }));
    const id = await publish();
    await until(() => requestsFor(target, id).length === 2);
    const inFlight = (await deliveryOf(t.db.db, id, endpoint.id))!;
    const res = await retry(inFlight._id).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.stringMatching(/in flight/)] });
    await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
    expect(requestsFor(target, id)).toHaveLength(2);
  });
});

describe('POST /v3/edit/webhooks/:id/replay', () => {
  it('should resend every subscribed webhook since the time, with the same ids, after a failure period', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const since = new Date(Date.now() - 1);
    target.setHandler(() => ({ status: 500 }));
    const lost = [await publish(), await publish()];
    for (const id of lost) await deliveryInState(t.db.db, id, endpoint.id, 'failed');
    const unsubscribed = await publish('survey.started');
    target.setHandler(() => ({ status: 200 }));
    const before = nonPings(target).length;
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/replay`).set(AUTH).send({ since: since.toISOString() }).expect(202);
    expect(res.body.replay).toEqual({ since: since.toISOString(), deliveries: 2 });
    // Four failed attempts each, then the replayed one.
    await until(() => lost.every((id) => requestsFor(target, id).length === 5));
    const replayed = nonPings(target).slice(before);
    expect(replayed.map((r) => bodyOf(r).id).sort()).toEqual([...lost].sort());
    expect(requestsFor(target, unsubscribed)).toHaveLength(0);
    // New deliveries, one per webhook, attempted as replays.
    const replayDocs = await until(async () => {
      const docs = await collections(t.db.db).deliveries.find({ endpoint_id: new ObjectId(endpoint.id), state: 'succeeded', topic: 'tour.started' }).toArray();
      const replays = docs.filter((d) => d.attempt_log[0]?.trigger === 'replay');
      return replays.length === 2 ? replays : undefined;
    });
    expect(replayDocs.map((d) => d.webhook_id.toHexString()).sort()).toEqual([...lost].sort());
    expect(replayDocs.every((d) => d.attempts === 1)).toBe(true);
  });

  it('should send webhooks published before the endpoint existed, only the subscribed ones of this account', async () => {
    const since = new Date(Date.now() - 1);
    const earlierTour = await publish('tour.started');
    const earlierSurvey = await publish('survey.started');
    const otherAccount = await publish('tour.started', undefined, OTHER_ACCOUNT.id);
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/replay`).set(AUTH).send({ since: since.toISOString() }).expect(202);
    expect(res.body.replay.deliveries).toBe(1);
    await deliveryInState(t.db.db, earlierTour, endpoint.id, 'succeeded');
    const [got] = requestsFor(target, earlierTour);
    expect(bodyOf(got!)).toMatchObject({ id: earlierTour, kind: 'tour.started' });
    await sleep(200);
    expect(requestsFor(target, earlierSurvey)).toHaveLength(0);
    expect(requestsFor(target, otherAccount)).toHaveLength(0);
  });

  it('should respect the endpoint\'s experience filter', async () => {
    const since = new Date(Date.now() - 1);
    const wanted = await publish('tour.started', '5fb6e4ab8af58a00073f0d98');
    const unwanted = await publish('tour.started', '5fb6e4ab8af58a00073f0d00');
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], experience_ids: ['5fb6e4ab8af58a00073f0d98'] });
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/replay`).set(AUTH).send({ since: since.toISOString() }).expect(202);
    expect(res.body.replay.deliveries).toBe(1);
    await deliveryInState(t.db.db, wanted, endpoint.id, 'succeeded');
    expect(await deliveryOf(t.db.db, unwanted, endpoint.id)).toBeNull();
  });

  it('should accept since as unix seconds', async () => {
    await publish();
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const seconds = Math.floor(Date.now() / 1000) - 1;
    const iso = new Date(seconds * 1000).toISOString();
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/replay`).set(AUTH).send({ since: seconds }).expect(202);
    expect(res.body.replay.since).toBe(iso);
    const expected = await collections(t.db.db).webhooks.countDocuments({ account: ACCOUNT.id, topic: 'tour.started', created_at: { $gte: new Date(iso) } });
    expect(expected).toBeGreaterThan(0);
    expect(res.body.replay.deliveries).toBe(expected);
  });

  it('should replay nothing published before since', async () => {
    await publish();
    await sleep(5);
    const since = new Date();
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/replay`).set(AUTH).send({ since: since.toISOString() }).expect(202);
    expect(res.body.replay.deliveries).toBe(0);
  });

  it.each([
    ['no since', {}],
    ['a null since', { since: null }],
    ['a word', { since: 'yesterday' }],
    ['an invalid date', { since: '2024-13-45T99:00:00Z' }],
    ['an object', { since: { $gt: 0 } }],
    ['a time in the future', { since: new Date(Date.now() + 60 * 60 * 1000).toISOString() }],
    ['unix seconds in the future', { since: Math.floor(Date.now() / 1000) + 3600 }],
    ['a time more than 30 days ago', { since: new Date(Date.now() - 31 * 24 * 60 * 60 * 1000).toISOString() }],
  ])('should answer 422 {code, messages} for %s', async (_label, body) => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'] });
    const res = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/replay`).set(AUTH).send(body).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.stringMatching(/since/)] });
  });
});

describe('a manual retry of a delivery that is still being retried', () => {
  const slow = useDeliveryApp({ retrySchedule: [800, 800, 60_000] });

  it('should move the next scheduled attempt after itself, never adding an early one', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(slow.app, slow.db.db, { url: target.url, topics: ['tour.started'] });
    target.setHandler(() => ({ status: 500 }));
    const { id } = await publishFixture(slow.hooks);
    const first = await deliveryWhen(slow.db.db, id, endpoint.id, (doc) => doc.attempt_log.length === 1);
    await sleep(400); // the first retry is due 800 ms after the first attempt: retry by hand halfway
    const manual = await request(slow.app).post(`/v3/edit/deliveries/${first._id.toHexString()}/retry`).set(AUTH).expect(200);
    expect(manual.body.delivery).toMatchObject({ state: 'pending', attempts_count: 2 });
    const third = await deliveryWhen(slow.db.db, id, endpoint.id, (doc) => doc.attempt_log.length >= 3);
    const [, byHand, next] = third.attempt_log;
    expect(byHand!.trigger).toBe('manual');
    expect(next!.at.getTime() - byHand!.at.getTime()).toBeGreaterThanOrEqual(800);
    await sleep(600); // past the time the superseded job was due
    const later = (await deliveryOf(slow.db.db, id, endpoint.id))!;
    expect(later.attempts).toBe(3);
    expect(later.state).toBe('pending');
    expect(requestsFor(target, id)).toHaveLength(3);
  });
});
