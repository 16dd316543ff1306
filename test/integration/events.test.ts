// Integration tests for events: validation, user identity and aliases, property cleaning, read-back with pagination, the event-name catalogue.
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';

const base = `/v3/observe/hooks/${ACCOUNT.secret}`;
const auth = { 'X-Account-Secret': ACCOUNT.secret };

describe('POST /v3/observe/hooks/:account_secret/events', () => {
  let t: TestApp;
  const profileBy = async (query: string) => (await request(t.app).get(`/v3/analyze/profile?${query}`).set(auth).expect(200)).body.profile;
  const eventsOf = async (profileId: string, query = '') =>
    (await request(t.app).get(`/v3/analyze/profiles/${profileId}/events${query}`).set(auth).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp();
  });

  it('should store an event for an existing user and answer 200 {event:{id}}', async () => {
    const { id: profileId } = (await request(t.app).post(`${base}/profiles`).send({ uid: 'ev-user' }).expect(200)).body.profile;
    const res = await request(t.app).post(`${base}/events`).send({ name: 'Clicked Upgrade', uid: 'ev-user' }).expect(200);
    expect(res.body).toEqual({ event: { id: expect.stringMatching(/^[0-9a-f]{24}$/) } });
    const { events } = await eventsOf(profileId);
    expect(events).toEqual([
      { id: res.body.event.id, name: 'Clicked Upgrade', uid: 'clicked_upgrade', profile_id: profileId, properties: {}, created_at: expect.stringMatching(/Z$/) },
    ]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['missing', { uid: 'ev-user' }],
    ['empty', { name: '', uid: 'ev-user' }],
    ['not a string', { name: { $ne: null }, uid: 'ev-user' }],
    ['a number', { name: 42, uid: 'ev-user' }],
    ['only punctuation', { name: '!!!', uid: 'ev-user' }],
  ])('should answer 422 when the name is %s', async (_label, body) => {
    const res = await request(t.app).post(`${base}/events`).send(body).expect(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.any(String)] });
  });

  it('should answer 422 with the documented message when the event names no user', async () => {
    const res = await request(t.app).post(`${base}/events`).send({ name: 'Orphan' }).expect(422);
    expect(res.body.messages[0]).toContain('Pass your User ID as the `uid` parameter or the Email address as the `email` parameter');
  });

  it('should create a user not seen before (by uid) and attach the event to it', async () => {
    const res = await request(t.app).post(`${base}/events`).send({ name: 'Signed Up', uid: 'brand-new-user' }).expect(200);
    const profile = await profileBy('uid=brand-new-user');
    const { events } = await eventsOf(profile.id);
    expect(events.map((e: { id: string }) => e.id)).toEqual([res.body.event.id]);
  });

  it('should create a user not seen before by email, matched case-insensitively afterwards', async () => {
    await request(t.app).post(`${base}/events`).send({ name: 'Invited', email: 'New.Person@Example.com' }).expect(200);
    await request(t.app).post(`${base}/events`).send({ name: 'Invited', email: 'new.person@example.com' }).expect(200);
    const profile = await profileBy('email=new.person@example.com');
    expect(profile.email.toLowerCase()).toBe('new.person@example.com');
    expect(await t.db.db.collection('chameleon_profiles').countDocuments({ account: ACCOUNT.id, email_key: `${ACCOUNT.id}|new.person@example.com` })).toBe(1);
    expect((await eventsOf(profile.id)).events).toHaveLength(2);
  });

  it.each<[string, (p: { id: string; uid: string }) => Record<string, unknown>]>([
    ['id', (p) => ({ id: p.id })],
    ['profile_id (alias of id)', (p) => ({ profile_id: p.id })],
    ['uid', (p) => ({ uid: p.uid })],
    ['user_id (alias of uid)', (p) => ({ user_id: p.uid })],
    ['uid as a number', () => ({ uid: 777001 })],
  ])('should find the user by %s', async (label, identify) => {
    const profile = (await request(t.app).post(`${base}/profiles`).send({ uid: '777001' }).expect(200)).body.profile as { id: string };
    const before = (await eventsOf(profile.id, '?limit=500')).events.length;
    await request(t.app).post(`${base}/events`).send({ name: `Found by ${label}`, ...identify({ id: profile.id, uid: '777001' }) }).expect(200);
    const { events } = await eventsOf(profile.id, '?limit=500');
    expect(events).toHaveLength(before + 1);
    expect(events[0].name).toBe(`Found by ${label}`);
    expect(await t.db.db.collection('chameleon_profiles').countDocuments({ account: ACCOUNT.id, uid: '777001' })).toBe(1);
  });

  it('should answer 404 for an event whose profile_id names no profile, and store nothing', async () => {
    const before = await t.db.db.collection('chameleon_events').countDocuments();
    await request(t.app).post(`${base}/events`).send({ name: 'Ghost', profile_id: '5f885a88e7daf3000e3eb4f6' }).expect(404);
    expect(await t.db.db.collection('chameleon_events').countDocuments()).toBe(before);
  });

  it('should normalise and clean the event properties, keeping identifiers out of them', async () => {
    await request(t.app)
      .post(`${base}/events`)
      .send({ name: 'Plan Changed', uid: 'ev-props', 'Button Color': 'red', seats: '12', trial: 'true', changed_at: 1881974806, $set: { x: 1 }, account_secret: ACCOUNT.secret })
      .expect(200);
    const profile = await profileBy('uid=ev-props');
    const [event] = (await eventsOf(profile.id)).events;
    expect(event.properties).toEqual({ button_color: 'red', seats: 12, trial: true, changed_at: '2029-08-21T02:46:46.000Z' });
  });

  it('should not let a profile of another account be named by id', async () => {
    const { id } = (await request(t.app).post(`/v3/observe/hooks/${OTHER_ACCOUNT.secret}/profiles`).send({ uid: 'globex-user' }).expect(200)).body.profile;
    await request(t.app).post(`${base}/events`).send({ name: 'Cross Account', id }).expect(404);
    const res = await request(t.app).get(`/v3/analyze/profiles/${id}/events`).set(auth).expect(200);
    expect(res.body.events).toEqual([]);
  });

  describe('GET /v3/analyze/profiles/:id/events', () => {
    let profileId: string;
    const sent: string[] = [];

    beforeAll(async () => {
      profileId = (await request(t.app).post(`${base}/profiles`).send({ uid: 'paged-user' }).expect(200)).body.profile.id;
      for (let i = 0; i < 7; i++) {
        sent.push((await request(t.app).post(`${base}/events`).send({ name: `Step ${i}`, uid: 'paged-user', step: i }).expect(200)).body.event.id);
      }
    });

    it('should list the events newest first', async () => {
      const { events } = await eventsOf(profileId);
      expect(events.map((e: { id: string }) => e.id)).toEqual([...sent].reverse());
      const times = events.map((e: { created_at: string }) => Date.parse(e.created_at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('should page with limit and the before cursor, never skipping or repeating an event', async () => {
      const seen: string[] = [];
      let query = '?limit=3';
      for (let page = 0; page < 10; page++) {
        const body = await eventsOf(profileId, query);
        seen.push(...body.events.map((e: { id: string }) => e.id));
        if (body.cursor.before === null) break;
        expect(body.events).toHaveLength(3);
        query = `?limit=3&before=${body.cursor.before}`;
      }
      expect(seen).toEqual([...sent].reverse());
    });

    it.each(['?limit=0', '?limit=501', '?limit=abc', '?before=nonsense', '?before=123_zz'])('should answer 422 for a bad page query %s', async (query) => {
      const res = await request(t.app).get(`/v3/analyze/profiles/${profileId}/events${query}`).set(auth).expect(422);
      expect(res.body.code).toBe(422);
    });

    it('should answer 404 for a profile id that is not an id', async () => {
      await request(t.app).get('/v3/analyze/profiles/not-an-id/events').set(auth).expect(404);
    });
  });

  describe('GET /v3/edit/event_names', () => {
    it('should group spellings under the normalised name, count them, and keep the first spelling', async () => {
      const started = Date.now();
      await request(t.app).post(`${base}/events`).send({ name: 'Imported Leads', uid: 'importer' }).expect(200);
      await request(t.app).post(`${base}/events`).send({ name: 'ImportedLeads', uid: 'importer' }).expect(200);
      await request(t.app).post(`${base}/events`).send({ name: 'imported-leads', uid: 'importer' }).expect(200);
      const res = await request(t.app).get('/v3/edit/event_names').set(auth).expect(200);
      const entry = res.body.event_names.find((e: { uid: string }) => e.uid === 'imported_leads');
      expect(entry).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        uid: 'imported_leads',
        name: 'Imported Leads',
        count: 3,
        first_seen_at: expect.stringMatching(/Z$/),
        last_seen_at: expect.stringMatching(/Z$/),
      });
      expect(Date.parse(entry.first_seen_at)).toBeGreaterThanOrEqual(started - 1000);
      expect(Date.parse(entry.last_seen_at)).toBeGreaterThanOrEqual(Date.parse(entry.first_seen_at));
    });

    it('should keep the first spelling and keep counting across bookkeeping flushes', async () => {
      await request(t.app).post(`${base}/events`).send({ name: 'Feature Announcements!', uid: 'importer' }).expect(200);
      await request(t.app).get('/v3/edit/event_names').set(auth).expect(200); // flushes
      await request(t.app).post(`${base}/events`).send({ name: 'featureAnnouncements', uid: 'importer' }).expect(200);
      const res = await request(t.app).get('/v3/edit/event_names').set(auth).expect(200);
      expect(res.body.event_names.find((e: { uid: string }) => e.uid === 'feature_announcements')).toMatchObject({ name: 'Feature Announcements!', count: 2 });
    });

    it('should list only the account’s own event names', async () => {
      await request(t.app).post(`/v3/observe/hooks/${OTHER_ACCOUNT.secret}/events`).send({ name: 'Globex Only', uid: 'g' }).expect(200);
      const mine = await request(t.app).get('/v3/edit/event_names').set(auth).expect(200);
      expect(mine.body.event_names.map((e: { uid: string }) => e.uid)).not.toContain('globex_only');
      const theirs = await request(t.app).get('/v3/edit/event_names').set('X-Account-Secret', OTHER_ACCOUNT.secret).expect(200);
      expect(theirs.body.event_names.map((e: { uid: string }) => e.uid)).toEqual(['globex_only']);
    });
  });
});
