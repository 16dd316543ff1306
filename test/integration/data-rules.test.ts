// Integration tests proving the SPEC §4 data rules are wired end to end: what goes in over HTTP, what MongoDB holds, what reads back, and the catalogue's warnings.
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';

const base = `/v3/observe/hooks/${ACCOUNT.secret}`;
const auth = { 'X-Account-Secret': ACCOUNT.secret };
const DAY_MS = 86_400_000;

/** 2,000 bytes of UTF-8: one ASCII letter, 666 three-byte euro signs, one ASCII letter. */
const LONG_TEXT = `a${'€'.repeat(666)}z`;

interface CatalogueRow {
  id: string | null;
  prop: string;
  types: string[];
  values: string[];
  count: number;
  last_seen_at: string | null;
  warnings: Array<{ prop: string; reason: string; count: number; example: string; last_seen_at: string }>;
}

describe('data rules over HTTP', () => {
  let t: TestApp;
  let sentAt: { before: number; after: number };
  let profile: Record<string, unknown>;

  const catalogue = async (kind: string, secret = ACCOUNT.secret): Promise<CatalogueRow[]> =>
    (await request(t.app).get(`/v3/edit/properties?kind=${kind}`).set('X-Account-Secret', secret).expect(200)).body.properties;
  const row = (rows: CatalogueRow[], prop: string): CatalogueRow => {
    const found = rows.find((r) => r.prop === prop);
    if (!found) throw new Error(`no catalogue row for ${prop}: ${rows.map((r) => r.prop).join(', ')}`);
    return found;
  };
  const storedProps = async (uid: string) =>
    ((await t.db.db.collection('chameleon_profiles').findOne({ account: ACCOUNT.id, uid })) as { props: Record<string, unknown> } | null)!.props;

  beforeAll(async () => {
    t = await createTestApp();
    const before = Date.now();
    await request(t.app)
      .post(`${base}/profiles`)
      .send({
        uid: 'rules',
        'User Role': 'admin',
        userRole2: 'x',
        'Feature Announcements!': 'on',
        signed_up: '2029-08-21T02:46:46Z',
        renewal: '2029-08-21 02:46:46',
        renewal_offset: '2029-08-21 02:46:46 +00:00',
        trial_day: '2029-08-21',
        last_login_at: 1881974806,
        activated_on: '1881974806',
        login_count: 1881974806,
        seen_now: '$now',
        trial_ends: '+30d',
        reminded: '-2h',
        seats: '12',
        price: '12.12',
        big: '11.9932e5',
        beta: 'true',
        legacy: 'false',
        tags: ['992', null, { a: 1 }, 'x'],
        ok2: { b: { c: 1 } },
        deep: { b: { c: { d: 1 } }, keep: 'yes' },
        meta: { id: 5, ok: 1 },
        bio: LONG_TEXT,
        ID: 'reserved',
        _id: 'reserved',
        created_at: '2020-01-01',
        'Updated At': '2020-01-01',
        $set: { plan: 'hacked' },
        $where: '1 == 1',
      })
      .expect(200);
    sentAt = { before, after: Date.now() };
    profile = (await request(t.app).get('/v3/analyze/profile?uid=rules').set(auth).expect(200)).body.profile;
  });

  it('should normalise property names to lower-case snake case', () => {
    expect(profile).toMatchObject({ user_role: 'admin', user_role2: 'x', feature_announcements: 'on' });
    expect(profile).not.toHaveProperty('User Role');
  });

  it.each([
    ['signed_up', '2029-08-21T02:46:46.000Z'],
    ['renewal', '2029-08-21T02:46:46.000Z'],
    ['renewal_offset', '2029-08-21T02:46:46.000Z'],
    ['trial_day', '2029-08-21T00:00:00.000Z'],
    ['last_login_at', '2029-08-21T02:46:46.000Z'],
    ['activated_on', '2029-08-21T02:46:46.000Z'],
  ])('should read %s back as the ISO date %s', (prop, iso) => {
    expect(profile[prop]).toBe(iso);
  });

  it('should store dates as real BSON dates, not strings', async () => {
    const props = await storedProps('rules');
    for (const prop of ['signed_up', 'renewal', 'trial_day', 'last_login_at', 'activated_on', 'seen_now', 'trial_ends']) {
      expect(props[prop], prop).toBeInstanceOf(Date);
    }
  });

  it('should keep Unix seconds a number when the name is not a time name', () => {
    expect(profile.login_count).toBe(1881974806);
  });

  it('should turn "$now" and relative times into dates around the server time', () => {
    const seen = Date.parse(profile.seen_now as string);
    expect(seen).toBeGreaterThanOrEqual(sentAt.before);
    expect(seen).toBeLessThanOrEqual(sentAt.after);
    const ends = Date.parse(profile.trial_ends as string);
    expect(ends).toBeGreaterThanOrEqual(sentAt.before + 30 * DAY_MS);
    expect(ends).toBeLessThanOrEqual(sentAt.after + 30 * DAY_MS);
    const reminded = Date.parse(profile.reminded as string);
    expect(reminded).toBeGreaterThanOrEqual(sentAt.before - 2 * 3_600_000);
    expect(reminded).toBeLessThanOrEqual(sentAt.after - 2 * 3_600_000);
  });

  it('should turn numeric and boolean strings into numbers and booleans', () => {
    expect(profile).toMatchObject({ seats: 12, price: 12.12, big: 1199320, beta: true, legacy: false });
  });

  it('should clean array items, dropping nulls and objects', () => {
    expect(profile.tags).toEqual([992, 'x']);
  });

  it('should keep a 3-level object whole and drop only the level-4 object', () => {
    expect(profile.ok2).toEqual({ b: { c: 1 } });
    expect(profile.deep).toEqual({ b: {}, keep: 'yes' });
  });

  it('should truncate a 2,000-byte string to at most 768 bytes without splitting a character', async () => {
    const bio = profile.bio as string;
    expect(Buffer.byteLength(LONG_TEXT)).toBe(2000);
    expect(Buffer.byteLength(bio)).toBe(766);
    expect(bio).toBe(LONG_TEXT.slice(0, 256));
    expect(bio).not.toContain('\uFFFD');
    expect((await storedProps('rules')).bio).toBe(bio);
  });

  it('should never store reserved names or operator keys as properties', async () => {
    const props = await storedProps('rules');
    for (const name of ['id', '_id', 'created_at', 'updated_at', 'set', '$set', 'where', '$where', 'plan']) {
      expect(props, name).not.toHaveProperty(name);
    }
    expect(props.meta).toEqual({ ok: 1 });
    expect(Date.parse(profile.created_at as string)).toBeGreaterThanOrEqual(sentAt.before);
    expect(Date.parse(profile.updated_at as string)).toBeGreaterThanOrEqual(sentAt.before);
    expect(profile.id).not.toBe('reserved');
  });

  it.each<[string, string, Record<string, unknown>, Record<string, unknown>]>([
    ['profiles', 'profile', { uid: 'shadow', Email: 'hidden@example.com', UID: 'other', 'Company ID': 'x', accountSecret: 'acct_leak' }, { uid: 'shadow', email: null, company_id: null }],
    ['companies', 'company', { uid: 'shadow-co', UID: 'other', 'Account Secret': 'acct_leak' }, { uid: 'shadow-co' }],
  ])('should refuse %s properties named like the record’s own fields or the secret, with a warning', async (path, kind, body, fixed) => {
    await request(t.app).post(`${base}/${path}`).send(body).expect(200);
    const read = await request(t.app).get(`/v3/analyze/${kind}?uid=${body.uid as string}`).set(auth).expect(200);
    expect(read.body[kind]).toMatchObject(fixed);
    expect(read.body[kind]).not.toHaveProperty('account_secret');
    const doc = await t.db.db.collection(`chameleon_${path}`).findOne({ account: ACCOUNT.id, uid: body.uid });
    expect(doc!.props ?? {}).toEqual({});
    const rows: CatalogueRow[] = (await request(t.app).get(`/v3/edit/properties?kind=${kind}`).set(auth).expect(200)).body.properties;
    expect(row(rows, 'uid').warnings).toEqual([expect.objectContaining({ reason: 'reserved_name', example: 'UID' })]);
    expect(row(rows, 'account_secret').warnings[0]).toMatchObject({ reason: 'reserved_name' });
    expect(JSON.stringify(rows)).not.toContain('acct_leak');
  });

  it.each<[string, unknown, boolean | undefined]>([
    ['true', true, true],
    ['the string "true"', 'true', true],
    ['the string "FALSE"', 'FALSE', false],
    ['null (removes it)', null, undefined],
  ])('should take disabled as %s like any boolean property', async (_label, value, stored) => {
    await request(t.app).post(`${base}/profiles`).send({ uid: 'switch', disabled: true }).expect(200);
    await request(t.app).post(`${base}/profiles`).send({ uid: 'switch', disabled: value }).expect(200);
    const read = await request(t.app).get('/v3/analyze/profile?uid=switch').set(auth).expect(200);
    expect(read.body.profile.disabled).toBe(stored);
  });

  it.each(['yes', 1, 'on'])('should refuse disabled = %j rather than store a value that does not switch anything off', async (value) => {
    await request(t.app).post(`${base}/profiles`).send({ uid: 'switch', disabled: value }).expect(422);
  });

  it('should not let a reserved name sent as null remove a stored property', async () => {
    await request(t.app).post(`${base}/profiles`).send({ uid: 'keeper', proto: 'kept', set: 'kept too' }).expect(200);
    await request(t.app).post(`${base}/profiles`).set('Content-Type', 'application/json').send('{"uid":"keeper","__proto__":null,"$set":null}').expect(200);
    const read = await request(t.app).get('/v3/analyze/profile?uid=keeper').set(auth).expect(200);
    expect(read.body.profile).toMatchObject({ proto: 'kept', set: 'kept too' });
  });

  describe('GET /v3/edit/properties?kind=profile', () => {
    let rows: CatalogueRow[];
    beforeAll(async () => {
      // A second, identical request makes every warning count 2.
      await request(t.app).post(`${base}/profiles`).send({ uid: 'rules-2', bio: LONG_TEXT, tags: [{ a: 1 }], deep: { b: { c: { d: 1 } } }, created_at: 'x', $set: 1, _id: 1 }).expect(200);
      rows = await catalogue('profile');
    });

    it.each<[string, string, string, number, string]>([
      ['bio', 'bio', 'truncated', 2, `a${'€'.repeat(20)}`],
      ['tags', 'tags', 'object_in_array', 2, '{"a":1}'],
      ['deep', 'deep.b.c', 'nested_too_deep', 2, '{"d":1}'],
      ['meta', 'meta.id', 'reserved_name', 1, 'id'],
      ['id', 'id', 'reserved_name', 2, ''], // `ID` and `_id` in one body are one warning
      ['created_at', 'created_at', 'reserved_name', 2, 'created_at'],
      ['updated_at', 'updated_at', 'reserved_name', 1, 'Updated At'],
      ['set', 'set', 'reserved_name', 3, '$set'], // 2 here, and `$set: null` in the test above: a reserved name sent as null is still reported
      ['where', 'where', 'reserved_name', 1, '$where'],
    ])('should show a warning on %s: %s %s, count %i', (rowProp, prop, reason, count, example) => {
      const warning = row(rows, rowProp).warnings.find((w) => w.prop === prop && w.reason === reason);
      expect(warning, `${prop} ${reason}`).toBeDefined();
      expect(warning!.count).toBe(count);
      expect(warning!.example.startsWith(example)).toBe(true);
      expect(Date.parse(warning!.last_seen_at)).toBeGreaterThanOrEqual(sentAt.before);
    });

    it('should list each stored property with its types, sample values and last time seen', () => {
      expect(row(rows, 'seats')).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), types: ['number'], values: ['12'], count: 1 });
      expect(row(rows, 'signed_up')).toMatchObject({ types: ['date'], values: ['2029-08-21T02:46:46.000Z'] });
      expect(row(rows, 'beta')).toMatchObject({ types: ['boolean'], values: ['true'] });
      expect(row(rows, 'tags')).toMatchObject({ types: ['array'] });
      expect(row(rows, 'ok2')).toMatchObject({ types: ['object'] });
      expect(Date.parse(row(rows, 'seats').last_seen_at!)).toBeGreaterThanOrEqual(sentAt.before);
      expect(rows.map((r) => r.prop)).not.toContain('$set');
    });

    it('should collect every type a property was seen with and recent sample values', async () => {
      await request(t.app).post(`${base}/profiles`).send({ uid: 'mixed-1', mixed: 'text', plan_name: 'gold' }).expect(200);
      await request(t.app).post(`${base}/profiles`).send({ uid: 'mixed-2', mixed: '7', plan_name: 'silver' }).expect(200);
      const again = await catalogue('profile');
      expect([...row(again, 'mixed').types].sort()).toEqual(['number', 'string']);
      expect(row(again, 'plan_name').values).toEqual(expect.arrayContaining(['gold', 'silver']));
      expect(row(again, 'plan_name').count).toBe(2);
    });

    it('should keep catalogues per account', async () => {
      const other = await catalogue('profile', OTHER_ACCOUNT.secret);
      expect(other).toEqual([]);
    });
  });

  describe('events and companies', () => {
    beforeAll(async () => {
      await request(t.app)
        .post(`${base}/events`)
        .send({ name: 'Rules Checked', uid: 'rules', Amount: '12.5', when_at: '1881974806', note: LONG_TEXT, created_at: 'x', $inc: { n: 1 }, list: [{ a: 1 }] })
        .expect(200);
      await request(t.app)
        .post(`${base}/companies`)
        .send({ uid: 'rules-co', 'Employee Count': '250', founded_on: '2001-02-03', about: LONG_TEXT, $set: { x: 1 }, updated_at: 'x' })
        .expect(200);
    });

    it('should clean event properties and show their warnings under kind=event only', async () => {
      const profileId = profile.id as string;
      const [event] = (await request(t.app).get(`/v3/analyze/profiles/${profileId}/events`).set(auth).expect(200)).body.events;
      expect(event.properties).toEqual({ amount: 12.5, when_at: '2029-08-21T02:46:46.000Z', note: LONG_TEXT.slice(0, 256), list: [] });
      const rows = await catalogue('event');
      expect(row(rows, 'amount')).toMatchObject({ types: ['number'] });
      expect(row(rows, 'note').warnings).toEqual([expect.objectContaining({ prop: 'note', reason: 'truncated', count: 1 })]);
      expect(row(rows, 'created_at').warnings).toEqual([expect.objectContaining({ reason: 'reserved_name' })]);
      expect(row(rows, 'inc').warnings).toEqual([expect.objectContaining({ reason: 'reserved_name', example: '$inc' })]);
      expect(row(rows, 'list').warnings).toEqual([expect.objectContaining({ reason: 'object_in_array' })]);
      expect(rows.map((r) => r.prop)).not.toContain('bio');
    });

    it('should clean company properties and show their warnings under kind=company only', async () => {
      const company = (await request(t.app).get('/v3/analyze/company?uid=rules-co').set(auth).expect(200)).body.company;
      expect(company).toMatchObject({ employee_count: 250, founded_on: '2001-02-03T00:00:00.000Z', about: LONG_TEXT.slice(0, 256) });
      const rows = await catalogue('company');
      expect(row(rows, 'employee_count')).toMatchObject({ types: ['number'], values: ['250'] });
      expect(row(rows, 'about').warnings).toEqual([expect.objectContaining({ reason: 'truncated' })]);
      expect(row(rows, 'set').warnings).toEqual([expect.objectContaining({ reason: 'reserved_name', example: '$set' })]);
      expect(row(rows, 'updated_at').warnings).toEqual([expect.objectContaining({ reason: 'reserved_name' })]);
      expect(rows.map((r) => r.prop)).not.toContain('amount');
    });

    it('should answer 422 for an unknown kind', async () => {
      const res = await request(t.app).get('/v3/edit/properties?kind=widget').set(auth).expect(422);
      expect(res.body).toEqual({ code: 422, messages: [expect.stringContaining('kind')] });
    });
  });
});
