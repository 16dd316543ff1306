// Who gets a published webhook: topic subscriptions, experience filters, fan-out, account isolation, endpoint limits, and invalid publishes.
import { createHmac } from 'node:crypto';
import { ObjectId } from 'mongodb';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, OTHER_ACCOUNT } from '../helpers/app.js';
import { InvalidPayloadError, UnknownTopicError } from '../../lib/index.js';
import { AUTH, OTHER_AUTH, bodyOf, collections, createEndpoint, deliveryInState, nonPings, publishFixture, requestsFor, sleep, topicData, until, useDeliveryApp, useReceivers } from './support/delivery.js';

const TOUR_A = '5fb6e4ab8af58a00073f0d98';
const TOUR_B = '5fb6e4ab8af58a00073f0d00';

const receiver = useReceivers();
const t = useDeliveryApp({}, { deleteEndpointsAfterEach: [AUTH, OTHER_AUTH] });

describe('topic subscriptions', () => {
  it('should deliver only the topics an endpoint subscribes to (tour.* but no survey.*)', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started', 'tour.completed'] });
    const survey = await publishFixture(t.hooks, 'survey.started');
    const tour = await publishFixture(t.hooks, 'tour.completed');
    expect(survey.deliveries).toBe(0);
    expect(tour.deliveries).toBe(1);
    await deliveryInState(t.db.db, tour.id, endpoint.id, 'succeeded');
    expect(nonPings(target).map((r) => bodyOf(r).kind)).toEqual(['tour.completed']);
    expect(await collections(t.db.db).deliveries.countDocuments({ topic: 'survey.started' })).toBe(0);
  });

  it.each([
    ['an array', ['tour.started', 'survey.completed']],
    ['a comma-separated string', 'tour.started,survey.completed'],
    ['a comma-separated string with spaces', ' tour.started , survey.completed '],
  ])('should accept topics as %s', async (_label, topics) => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics });
    expect(endpoint.topics).toEqual(['tour.started', 'survey.completed']);
    const listed = await request(t.app).get('/v3/edit/webhooks').set(AUTH).expect(200);
    expect(listed.body.webhooks.find((w: { id: string }) => w.id === endpoint.id).topics).toEqual(['tour.started', 'survey.completed']);
    const { id } = await publishFixture(t.hooks, 'survey.completed');
    await deliveryInState(t.db.db, id, endpoint.id, 'succeeded');
  });

  it.each([
    ['an unknown topic in an array', ['tour.started', 'tour.teleported']],
    ['an unknown topic in a string', 'tour.started,nope'],
    ['an empty array', []],
    ['an empty string', ''],
    ['a number', 42],
    ['no topics at all', undefined],
  ])('should answer 422 for %s and store no endpoint', async (_label, topics) => {
    const target = await receiver();
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url: target.url, topics }).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.any(String)] });
    expect(await collections(t.db.db).endpoints.countDocuments({ account: ACCOUNT.id })).toBe(0);
    expect(target.requests).toHaveLength(0);
  });

  it('should name the unknown topic in the 422', async () => {
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url: 'http://127.0.0.1:9/', topics: 'tour.started,tour.teleported' }).expect(422);
    expect(res.body.messages[0]).toContain('tour.teleported');
  });
});

describe('endpoint limit', () => {
  it('should allow 5 endpoints per account and answer 422 for the 6th', async () => {
    const target = await receiver();
    for (let i = 0; i < 5; i++) await createEndpoint(t.app, t.db.db, { url: `${target.url}e${i}`, topics: 'ping' });
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url: `${target.url}e5`, topics: 'ping' }).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.stringMatching(/at most 5/)] });
    expect(await collections(t.db.db).endpoints.countDocuments({ account: ACCOUNT.id })).toBe(5);
    // Another account has its own allowance.
    await createEndpoint(t.app, t.db.db, { url: `${target.url}other`, topics: 'ping' }, OTHER_AUTH);
    // Deleting one frees a place.
    const list = await request(t.app).get('/v3/edit/webhooks').set(AUTH).expect(200);
    expect(list.body.webhooks).toHaveLength(5);
    await request(t.app).delete(`/v3/edit/webhooks/${list.body.webhooks[0].id}`).set(AUTH).expect(200);
    await createEndpoint(t.app, t.db.db, { url: `${target.url}e6`, topics: 'ping' });
  });
});

describe('endpoint limit under concurrent creates', () => {
  it('should never let concurrent creates exceed the limit', async () => {
    const target = await receiver();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url: `${target.url}c${i}`, topics: 'ping' })),
    );
    const created = results.filter((r) => r.status === 201).length;
    expect(results.every((r) => r.status === 201 || r.status === 422)).toBe(true);
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThanOrEqual(5);
    expect(await collections(t.db.db).endpoints.countDocuments({ account: ACCOUNT.id })).toBe(created);
  });
});

describe('endpoint limit from limits.endpointsPerAccount', () => {
  const small = useDeliveryApp({}, { options: { limits: { endpointsPerAccount: 2 } } });

  it('should answer 422 once the configured number of endpoints exists', async () => {
    const target = await receiver();
    await createEndpoint(small.app, small.db.db, { url: `${target.url}a`, topics: 'ping' });
    await createEndpoint(small.app, small.db.db, { url: `${target.url}b`, topics: 'ping' });
    const res = await request(small.app).post('/v3/edit/webhooks').set(AUTH).send({ url: `${target.url}c`, topics: 'ping' }).expect(422);
    expect(res.body.messages[0]).toMatch(/at most 2/);
  });
});

describe('experience filter', () => {
  it('should deliver webhooks about the listed experiences only, and pings always', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started', 'ping'], experience_ids: [TOUR_A] });
    expect(endpoint.experience_ids).toEqual([TOUR_A]);
    const other = await publishFixture(t.hooks, 'tour.started', { experienceId: TOUR_B });
    const listed = await publishFixture(t.hooks, 'tour.started', { experienceId: TOUR_A });
    expect(other.deliveries).toBe(0);
    expect(listed.deliveries).toBe(1);
    await deliveryInState(t.db.db, listed.id, endpoint.id, 'succeeded');
    expect(requestsFor(target, other.id)).toHaveLength(0);
    expect(nonPings(target).map((r) => (bodyOf(r).data.tour as { id: string }).id)).toEqual([TOUR_A]);
    const ping = await request(t.app).post(`/v3/edit/webhooks/${endpoint.id}/ping`).set(AUTH).expect(200);
    expect(ping.body.ping.status).toBe(200);
    expect(requestsFor(target, ping.body.ping.id)).toHaveLength(1);
  });

  // Regression test for a Schemathesis finding (ST108): mixed-case ids were stored and answered as sent (the
  // documented id is lowercase) and never matched a payload naming the same experience in another case.
  it('should store experience ids lowercase and match them in any case', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started'], experience_ids: [TOUR_A.toUpperCase(), TOUR_A] });
    expect(endpoint.experience_ids).toEqual([TOUR_A]);
    const shouting = await publishFixture(t.hooks, 'tour.started', { experienceId: TOUR_A.toUpperCase() });
    const other = await publishFixture(t.hooks, 'tour.started', { experienceId: TOUR_B.toUpperCase() });
    expect(shouting.deliveries).toBe(1);
    expect(other.deliveries).toBe(0);
    await deliveryInState(t.db.db, shouting.id, endpoint.id, 'succeeded');
  });

  it('should answer 422 for experience ids that are not 24-hex', async () => {
    const res = await request(t.app).post('/v3/edit/webhooks').set(AUTH).send({ url: 'http://127.0.0.1:9/', topics: 'tour.started', experience_ids: ['nope'] }).expect(422);
    expect(res.body.code).toBe(422);
  });
});

describe('fan-out', () => {
  it('should deliver one webhook to every subscribed endpoint of the account and to none of another account', async () => {
    const mine = await Promise.all([receiver(), receiver(), receiver()]);
    const theirs = await receiver();
    const unsubscribed = await receiver();
    const endpoints = [];
    for (const r of mine) endpoints.push(await createEndpoint(t.app, t.db.db, { url: r.url, topics: ['tour.started'] }));
    await createEndpoint(t.app, t.db.db, { url: unsubscribed.url, topics: ['tour.completed'] });
    await createEndpoint(t.app, t.db.db, { url: theirs.url, topics: ['tour.started'] }, OTHER_AUTH);
    const { id, deliveries } = await publishFixture(t.hooks);
    expect(deliveries).toBe(3);
    for (const e of endpoints) await deliveryInState(t.db.db, id, e.id, 'succeeded');
    for (const r of mine) expect(requestsFor(r, id)).toHaveLength(1);
    // Give a stray delivery time to show up before asserting its absence.
    await sleep(300);
    expect(nonPings(theirs)).toHaveLength(0);
    expect(nonPings(unsubscribed)).toHaveLength(0);
    expect(await collections(t.db.db).deliveries.countDocuments({ account: OTHER_ACCOUNT.id, topic: 'tour.started' })).toBe(0);
  });

  it('should keep the other account\'s webhooks away from this account\'s endpoints', async () => {
    const mine = await receiver();
    const theirs = await receiver();
    const myEndpoint = await createEndpoint(t.app, t.db.db, { url: mine.url, topics: ['survey.exited'] });
    const theirEndpoint = await createEndpoint(t.app, t.db.db, { url: theirs.url, topics: ['survey.exited'] }, OTHER_AUTH);
    const { id } = await publishFixture(t.hooks, 'survey.exited', { account: OTHER_ACCOUNT.id });
    await deliveryInState(t.db.db, id, theirEndpoint.id, 'succeeded');
    const got = requestsFor(theirs, id)[0]!;
    // Signed with the other account's secret.
    expect(got.headers['x-chameleon-signature']).toBe(createHmac('sha256', OTHER_ACCOUNT.webhookSecret).update(got.body).digest('hex'));
    await sleep(200);
    expect(requestsFor(mine, id)).toHaveLength(0);
    expect(await collections(t.db.db).deliveries.countDocuments({ account: ACCOUNT.id, topic: 'survey.exited' })).toBe(0);
    expect(myEndpoint.id).not.toBe(theirEndpoint.id);
  });
});

describe('invalid publishes', () => {
  async function counts(): Promise<{ webhooks: number; deliveries: number }> {
    const { webhooks, deliveries } = collections(t.db.db);
    return { webhooks: await webhooks.countDocuments({}), deliveries: await deliveries.countDocuments({}) };
  }

  it.each([
    ['an unknown topic', 'tour.teleported', () => topicData('tour.started'), UnknownTopicError],
    ['data missing the profile a tour.started promises', 'tour.started', () => ({ ...topicData('tour.started'), profile: undefined }), InvalidPayloadError],
    ['data missing the tour', 'tour.completed', () => {
      const { tour: _tour, ...rest } = topicData('tour.completed');
      return rest;
    }, InvalidPayloadError],
    ['data missing the response of response.finished', 'response.finished', () => {
      const { response: _response, ...rest } = topicData('response.finished');
      return rest;
    }, InvalidPayloadError],
    ['data that is not an object', 'survey.started', () => 'hello' as unknown as Record<string, unknown>, InvalidPayloadError],
  ])('should reject %s with a typed error, store nothing and send nothing', async (_label, topic, data, ErrorClass) => {
    const target = await receiver();
    await createEndpoint(t.app, t.db.db, { url: target.url, topics: ['tour.started', 'tour.completed', 'survey.started', 'response.finished'] });
    const before = await counts();
    const requestsBefore = target.requests.length;
    const payload = JSON.parse(JSON.stringify(data() ?? null)) as never;
    await expect(t.hooks.publish(ACCOUNT.id, topic as never, payload)).rejects.toBeInstanceOf(ErrorClass);
    await sleep(200);
    expect(await counts()).toEqual(before);
    expect(target.requests.length).toBe(requestsBefore);
  });

  it('should answer the problem in the typed error', async () => {
    const { tour: _tour, ...rest } = topicData('tour.completed');
    const error = await t.hooks.publish(ACCOUNT.id, 'tour.completed', rest as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect((error as InvalidPayloadError).messages.join(' ')).toMatch(/tour/);
    expect((error as InvalidPayloadError).status).toBe(422);
  });
});

describe('publish bookkeeping', () => {
  it('should store one webhook and one delivery per subscribed endpoint', async () => {
    const a = await receiver();
    const b = await receiver();
    const ea = await createEndpoint(t.app, t.db.db, { url: a.url, topics: ['helpbar.search'] });
    const eb = await createEndpoint(t.app, t.db.db, { url: b.url, topics: ['helpbar.search'] });
    const { id } = await publishFixture(t.hooks, 'helpbar.search');
    const { webhooks, deliveries } = collections(t.db.db);
    await until(async () => (await deliveries.countDocuments({ topic: 'helpbar.search', state: 'succeeded' })) === 2);
    expect(await webhooks.countDocuments({ _id: new ObjectId(id) })).toBe(1);
    const docs = await deliveries.find({ webhook_id: new ObjectId(id) }).toArray();
    expect(docs.map((d) => d.endpoint_id.toHexString()).sort()).toEqual([ea.id, eb.id].sort());
  });
});
