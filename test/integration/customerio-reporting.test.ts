// Integration tests for Customer.io reporting webhooks (issue 7 §3): POST …/customerio stores each report once per
// event_id and answers at once; the background turns it into a profile update or an event through the ingest rules.
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';
import { until } from './support/delivery.js';
import { reportingWebhook } from './support/customerio-reports.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const path = `/v3/observe/hooks/${ACCOUNT.secret}/customerio`;
const auth = { 'X-Account-Secret': ACCOUNT.secret };

describe('POST /v3/observe/hooks/:account_secret/customerio', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  const profile = async (uid: string, secret = ACCOUNT.secret): Promise<Record<string, unknown> | undefined> => {
    const res = await request(t.app).get(`/v3/analyze/profile?uid=${uid}`).set('X-Account-Secret', secret);
    return res.status === 200 ? (res.body.profile as Record<string, unknown>) : undefined;
  };
  const eventsOf = async (uid: string): Promise<Array<Record<string, unknown>>> => {
    const p = await profile(uid);
    if (!p) return [];
    return (await request(t.app).get(`/v3/analyze/profiles/${p.id as string}/events?limit=500`).set(auth).expect(200)).body.events;
  };
  const reports = () => t.db.db.collection('chameleon_customerio_reports');

  it('should store a message metric and answer 200 at once, then add the event to the profile', async () => {
    const body = reportingWebhook({}, { identifiers: { id: 'cio-u1', email: 'u1@example.com' }, href: 'https://x.example/a', failure_message: null });
    const res = await request(t.app).post(path).send(body).expect(200);
    expect(res.body).toEqual({ customerio: { id: expect.stringMatching(/^[0-9a-f]{24}$/), event_id: body.event_id, duplicate: false } });
    const [event] = await until(async () => {
      const list = await eventsOf('cio-u1');
      return list.length > 0 ? list : undefined;
    });
    expect(event).toMatchObject({
      name: 'Email Opened (Customer.io)',
      uid: 'email_opened_customer_io',
      properties: { campaign_id: 7, action_id: 9, delivery_id: 'RAECAAFwnUSneIa0ZXkmSQ==', subject: 'Welcome', link: 'https://x.example/a', cio_event_id: body.event_id, cio_metric: 'opened' },
    });
    expect(event!.id).toBe(res.body.customerio.id); // the event's id is the report's: processing twice stores it once
    expect(await profile('cio-u1')).toMatchObject({ email: 'u1@example.com' });
    const stored = await until(() => reports().findOne({ event_id: body.event_id, processed_at: { $ne: null } }));
    expect(stored).toMatchObject({ account: ACCOUNT.id, outcome: 'event', error: null });
  });

  it('should answer a replayed event_id with 200 and change nothing', async () => {
    const body = reportingWebhook({}, { identifiers: { id: 'cio-replay' } });
    await request(t.app).post(path).send(body).expect(200);
    await until(async () => (await eventsOf('cio-replay')).length === 1);
    const before = await profile('cio-replay');
    const again = await request(t.app).post(path).send({ ...body, metric: 'clicked' }).expect(200);
    expect(again.body).toEqual({ customerio: { id: null, event_id: body.event_id, duplicate: true } });
    await new Promise((resolve) => setTimeout(resolve, 300)); // a processor would have run by now
    expect(await eventsOf('cio-replay')).toHaveLength(1);
    expect(await profile('cio-replay')).toEqual(before);
    expect(await reports().countDocuments({ event_id: body.event_id })).toBe(1);
  });

  it.each<[string, boolean | undefined]>([
    ['subscribed', true],
    ['unsubscribed', false],
  ])('should set cio_subscribed on customer %s', async (metric, subscribed) => {
    const ts = 1_900_000_000;
    await request(t.app).post(path).send(reportingWebhook({ object_type: 'customer', metric, timestamp: ts }, { identifiers: { id: `sub-${metric}`, email: `${metric}@example.com` } })).expect(200);
    const p = await until(async () => {
      const found = await profile(`sub-${metric}`);
      return found?.cio_subscription_changed_at ? found : undefined;
    });
    expect(p).toMatchObject({ cio_subscribed: subscribed, cio_subscription_changed_at: new Date(ts * 1000).toISOString(), email: `${metric}@example.com` });
    expect(await eventsOf(`sub-${metric}`)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown object type', { object_type: 'carrier_pigeon', metric: 'landed' }, 'Carrier Pigeon Landed (Customer.io)'],
    ['an unknown metric', { object_type: 'email', metric: 'teleported' }, 'Email Teleported (Customer.io)'],
    ['no metric at all', { object_type: undefined, metric: undefined }, 'Unknown Event (Customer.io)'],
  ])('should store %s as an event, never refuse it', async (label, overrides, name) => {
    const uid = `unknown-${label.replace(/\W/g, '')}`;
    await request(t.app).post(path).send(reportingWebhook(overrides, { identifiers: { id: uid } })).expect(200);
    const [event] = await until(async () => {
      const list = await eventsOf(uid);
      return list.length > 0 ? list : undefined;
    });
    expect(event!.name).toBe(name);
  });

  it('should accept every secret form and any content type', async () => {
    const send = (req: request.Test, uid: string) => req.set('Content-Type', 'text/plain').send(JSON.stringify(reportingWebhook({}, { identifiers: { id: uid } })));
    await send(request(t.app).post('/v3/observe/hooks/customerio').set(auth), 'form-header').expect(200);
    await send(request(t.app).post(`/v3/observe/hooks/customerio?account_secret=${ACCOUNT.secret}`), 'form-query').expect(200);
    await request(t.app).post(path).unset('Content-Type').send(JSON.stringify(reportingWebhook({}, { identifiers: { id: 'form-none' } }))).expect(200);
    for (const uid of ['form-header', 'form-query', 'form-none']) await until(async () => (await eventsOf(uid)).length === 1);
  });

  it('should keep accounts apart', async () => {
    const body = reportingWebhook({}, { identifiers: { id: 'shared-uid' } });
    await request(t.app).post(path).send(body).expect(200);
    const other = await request(t.app).post(`/v3/observe/hooks/${OTHER_ACCOUNT.secret}/customerio`).send(body).expect(200);
    expect(other.body.customerio.duplicate).toBe(false); // the same event_id in another account is another report
    await until(async () => (await profile('shared-uid', OTHER_ACCOUNT.secret)) !== undefined);
  });

  it.each<[string, (r: request.Test) => request.Test, number]>([
    ['a body that is not JSON', (r) => r.set('Content-Type', 'application/x-www-form-urlencoded').send('event_id=1&metric=opened'), 400],
    ['a JSON array', (r) => r.set('Content-Type', 'application/json').send('[1]'), 400],
    ['an empty body', (r) => r.set('Content-Type', 'application/json').send(''), 400],
  ])('should answer %s with an error and store nothing', async (_label, send, status) => {
    const before = await reports().countDocuments();
    const res = await send(request(t.app).post(path));
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ code: status, messages: [expect.any(String)] });
    expect(await reports().countDocuments()).toBe(before);
  });

  it('should answer 403 to an unknown secret, and refuse a secret only in the body', async () => {
    await request(t.app).post('/v3/observe/hooks/acct_not_a_known_secret_123/customerio').send(reportingWebhook()).expect(403);
    await request(t.app).post('/v3/observe/hooks/customerio').send({ ...reportingWebhook(), account_secret: ACCOUNT.secret }).expect(403);
  });

  it('should record a webhook that names no person as skipped, with 200', async () => {
    const body = reportingWebhook({}, { identifiers: { cio_id: 'only-cio' }, customer_id: undefined, recipient: undefined });
    await request(t.app).post(path).send(body).expect(200);
    const stored = await until(() => reports().findOne({ event_id: body.event_id, processed_at: { $ne: null } }));
    expect(stored).toMatchObject({ outcome: 'skipped', error: expect.stringContaining('names no person') });
  });

  it('should store each of 1,000 concurrent webhooks with 100 duplicate event_ids exactly once', async () => {
    // Its own server with a listen backlog above 1,000, so every connection is accepted at once.
    const server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, resolve));
    const { port } = server.address() as AddressInfo;
    const distinct = Array.from({ length: 900 }, (_, i) => reportingWebhook({ event_id: `burst-${i}` }, { identifiers: { id: `burst-u${i % 50}` } }));
    const bodies = [...distinct, ...distinct.slice(0, 100).map((b) => ({ ...b, metric: 'clicked' }))];
    const answers = await Promise.all(
      bodies.map(async (body) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: JSON.stringify(body) });
        return { status: res.status, json: (await res.json()) as { customerio: { duplicate: boolean } } };
      }),
    );
    server.closeAllConnections();
    server.close();
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.json.customerio.duplicate)).toHaveLength(100);
    expect(await reports().countDocuments({ event_id: /^burst-/ })).toBe(900);
    await until(async () => (await reports().countDocuments({ event_id: /^burst-/, processed_at: null })) === 0, 60_000, 'every burst report processed');
    const events = await t.db.db.collection('chameleon_events').countDocuments({ 'props.cio_event_id': /^burst-/ });
    expect(events).toBe(900);
    const opened = await t.db.db.collection('chameleon_events').countDocuments({ 'props.cio_event_id': /^burst-/, name: 'email_opened_customer_io' });
    expect(opened).toBe(900); // the duplicates (sent as "clicked") changed nothing
  }, 120_000);
});
