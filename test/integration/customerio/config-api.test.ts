// The Customer.io integration settings: PUT/GET/DELETE /v3/edit/integrations/customerio and hooks.integrations.customerio,
// validation (422 naming the field), secrets masked on read and encrypted at rest with `secretsKey`, account isolation.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, OTHER_ACCOUNT, createTestApp } from '../../helpers/app.js';

const PATH = '/v3/edit/integrations/customerio';
const AUTH = { 'X-Account-Secret': ACCOUNT.secret };
const OTHER_AUTH = { 'X-Account-Secret': OTHER_ACCOUNT.secret };
const API_KEY = 'cio_track_api_key_0123456789';
const SIGNING_KEY = 'cio_signing_key_abcdef';
const SECRETS_KEY = 'cd'.repeat(32);

const t = await createTestApp({ secretsKey: SECRETS_KEY });
const integrations = t.db.db.collection('chameleon_integrations');

describe('PUT /v3/edit/integrations/customerio', () => {
  it('should answer 200 {integration} with defaults and never return a secret', async () => {
    const res = await request(t.app).put(PATH).set(AUTH).send({ site_id: 'site123', api_key: API_KEY, webhook_signing_key: SIGNING_KEY }).expect(200);
    expect(res.body.integration).toMatchObject({
      kind: 'customerio',
      site_id: 'site123',
      api_key: '********',
      webhook_signing_key: '********',
      region: 'us',
      track_url: null,
      step_seen: false,
      previews: false,
      events: {},
      identifier: 'uid',
      rate_limit: 100,
      secrets_encrypted: true,
      last_item_state: null,
    });
    expect(JSON.stringify(res.body)).not.toContain(API_KEY);
    expect(JSON.stringify(res.body)).not.toContain(SIGNING_KEY);
  });

  it('should store the secrets encrypted with secretsKey (never in clear)', async () => {
    await request(t.app).put(PATH).set(AUTH).send({ site_id: 'site123', api_key: API_KEY, webhook_signing_key: SIGNING_KEY }).expect(200);
    const raw = await integrations.findOne({ account: ACCOUNT.id });
    expect(raw?.api_key).toMatchObject({ alg: 'aes-256-gcm' });
    expect(JSON.stringify(raw)).not.toContain(API_KEY);
    expect(JSON.stringify(raw)).not.toContain(SIGNING_KEY);
  });

  it('should keep the stored api_key when it is left out, and replace the other settings', async () => {
    await request(t.app).put(PATH).set(AUTH).send({ site_id: 'site123', api_key: API_KEY }).expect(200);
    const before = await integrations.findOne({ account: ACCOUNT.id });
    const res = await request(t.app)
      .put(PATH)
      .set(AUTH)
      .send({ site_id: 'site123', region: 'eu', step_seen: true, previews: true, identifier: 'email', events: { 'survey.completed': 'Completed Survey (Chameleon)' }, rate_limit: 10 })
      .expect(200);
    expect(res.body.integration).toMatchObject({ region: 'eu', step_seen: true, previews: true, identifier: 'email', rate_limit: 10, events: { 'survey.completed': 'Completed Survey (Chameleon)' } });
    const after = await integrations.findOne({ account: ACCOUNT.id });
    expect(after?.api_key).toEqual(before?.api_key);
    expect(after?._id).toEqual(before?._id);
  });

  it('should remove the signing key with null and keep it when left out', async () => {
    await request(t.app).put(PATH).set(AUTH).send({ site_id: 's', api_key: API_KEY, webhook_signing_key: SIGNING_KEY }).expect(200);
    let res = await request(t.app).put(PATH).set(AUTH).send({ site_id: 's' }).expect(200);
    expect(res.body.integration.webhook_signing_key).toBe('********');
    res = await request(t.app).put(PATH).set(AUTH).send({ site_id: 's', webhook_signing_key: null }).expect(200);
    expect(res.body.integration.webhook_signing_key).toBeNull();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no site_id', { api_key: API_KEY }, 'site_id'],
    ['a site_id with a colon (breaks Basic auth)', { site_id: 'a:b', api_key: API_KEY }, 'site_id'],
    ['a numeric site_id', { site_id: 123, api_key: API_KEY }, 'site_id'],
    ['an empty api_key', { site_id: 's', api_key: '' }, 'api_key'],
    ['an api_key with a newline', { site_id: 's', api_key: 'a\nb' }, 'api_key'],
    ['an object api_key', { site_id: 's', api_key: { $gt: '' } }, 'api_key'],
    ['an unknown region', { site_id: 's', api_key: API_KEY, region: 'asia' }, 'region'],
    ['an unknown identifier', { site_id: 's', api_key: API_KEY, identifier: 'id' }, 'identifier'],
    ['step_seen as a string', { site_id: 's', api_key: API_KEY, step_seen: 'true' }, 'step_seen'],
    ['previews as a number', { site_id: 's', api_key: API_KEY, previews: 1 }, 'previews'],
    ['events as an array', { site_id: 's', api_key: API_KEY, events: ['survey.completed'] }, 'events'],
    ['events with an unknown topic', { site_id: 's', api_key: API_KEY, events: { 'tour.deleted': 'X' } }, 'events.tour.deleted'],
    ['events with a $ operator topic', { site_id: 's', api_key: API_KEY, events: { $where: 'X' } }, 'events.$where'],
    ['events mapping ping', { site_id: 's', api_key: API_KEY, events: { ping: 'Ping' } }, 'events.ping'],
    ['an event name over 100 bytes', { site_id: 's', api_key: API_KEY, events: { 'survey.completed': 'é'.repeat(51) } }, 'events.survey.completed'],
    ['an empty event name', { site_id: 's', api_key: API_KEY, events: { 'survey.completed': ' ' } }, 'events.survey.completed'],
    ['rate_limit 0', { site_id: 's', api_key: API_KEY, rate_limit: 0 }, 'rate_limit'],
    ['rate_limit 1.5', { site_id: 's', api_key: API_KEY, rate_limit: 1.5 }, 'rate_limit'],
    ['rate_limit as a string', { site_id: 's', api_key: API_KEY, rate_limit: '100' }, 'rate_limit'],
    ['rate_limit over 10,000', { site_id: 's', api_key: API_KEY, rate_limit: 10_001 }, 'rate_limit'],
    ['a signing key over 256 characters', { site_id: 's', api_key: API_KEY, webhook_signing_key: 'k'.repeat(257) }, 'webhook_signing_key'],
    ['an unknown field', { site_id: 's', api_key: API_KEY, apikey: 'x' }, 'apikey'],
    ['track_url not a string', { site_id: 's', api_key: API_KEY, track_url: 42 }, 'track_url'],
    ['track_url over http (allowHttp off)', { site_id: 's', api_key: API_KEY, track_url: 'http://track.example.com' }, 'track_url'],
    ['track_url on a private address', { site_id: 's', api_key: API_KEY, track_url: 'https://10.0.0.5' }, 'track_url'],
    ['track_url on loopback', { site_id: 's', api_key: API_KEY, track_url: 'https://127.0.0.1:8443' }, 'track_url'],
    ['track_url on localhost', { site_id: 's', api_key: API_KEY, track_url: 'https://localhost' }, 'track_url'],
    ['track_url on cloud metadata', { site_id: 's', api_key: API_KEY, track_url: 'https://169.254.169.254' }, 'track_url'],
    ['track_url with credentials', { site_id: 's', api_key: API_KEY, track_url: 'https://u:p@track.example.com' }, 'track_url'],
    ['track_url with a query', { site_id: 's', api_key: API_KEY, track_url: 'https://track.example.com/?a=1' }, 'track_url'],
    ['track_url not a URL', { site_id: 's', api_key: API_KEY, track_url: 'track.example.com' }, 'track_url'],
    ['track_url ftp', { site_id: 's', api_key: API_KEY, track_url: 'ftp://track.example.com' }, 'track_url'],
  ])('should answer 422 naming the field for %s, and store nothing', async (_name, body, field) => {
    await request(t.app).delete(PATH).set(OTHER_AUTH);
    const res = await request(t.app).put(PATH).set(OTHER_AUTH).send(body).expect(422);
    expect(res.body.code).toBe(422);
    expect(res.body.messages.join(' ')).toContain(field);
    expect(await integrations.findOne({ account: OTHER_ACCOUNT.id })).toBeNull();
  });

  it('should answer 422 for a first PUT without api_key', async () => {
    await request(t.app).delete(PATH).set(OTHER_AUTH);
    const res = await request(t.app).put(PATH).set(OTHER_AUTH).send({ site_id: 's' }).expect(422);
    expect(res.body.messages[0]).toContain('api_key');
  });

  it.each<[string, unknown]>([
    ['an array', [{ site_id: 's' }]],
    ['a string', 'site_id=s'],
    ['null', null],
  ])('should answer 400 for a body that is %s (not a JSON object)', async (_name, body) => {
    const res = await request(t.app).put(PATH).set(AUTH).set('Content-Type', 'application/json').send(JSON.stringify(body)).expect(400);
    expect(res.body).toEqual({ code: 400, messages: ['The request body must be a JSON object'] });
  });

  it('should answer 400 for a body that is not JSON', async () => {
    const res = await request(t.app).put(PATH).set(AUTH).set('Content-Type', 'application/json').send('{"site_id":').expect(400);
    expect(res.body.code).toBe(400);
  });

  it('should answer 403 without or with a wrong account secret, and change nothing', async () => {
    await request(t.app).put(PATH).send({ site_id: 's', api_key: API_KEY }).expect(403);
    await request(t.app).put(PATH).set({ 'X-Account-Secret': 'acct_wrong_secret_0000000000' }).send({ site_id: 's', api_key: API_KEY }).expect(403);
    await request(t.app).get(PATH).expect(403);
    await request(t.app).delete(PATH).expect(403);
  });

  it('should accept the account secret in the path parameter form as /v3/edit/webhooks does (query)', async () => {
    const res = await request(t.app).put(`${PATH}?account_secret=${ACCOUNT.secret}`).send({ site_id: 'q', api_key: API_KEY }).expect(200);
    expect(res.body.integration.site_id).toBe('q');
  });
});

describe('GET and DELETE /v3/edit/integrations/customerio', () => {
  it('should answer 404 before it is connected and after it is deleted; other accounts are untouched', async () => {
    await request(t.app).put(PATH).set(AUTH).send({ site_id: 'mine', api_key: API_KEY }).expect(200);
    await request(t.app).delete(PATH).set(OTHER_AUTH);
    await request(t.app).get(PATH).set(OTHER_AUTH).expect(404);
    await request(t.app).delete(PATH).set(OTHER_AUTH).expect(404);
    const got = await request(t.app).get(PATH).set(AUTH).expect(200);
    expect(got.body.integration).toMatchObject({ site_id: 'mine', api_key: '********' });
    const deleted = await request(t.app).delete(PATH).set(AUTH).expect(200);
    expect(deleted.body.integration.site_id).toBe('mine');
    await request(t.app).get(PATH).set(AUTH).expect(404);
    expect(await integrations.findOne({ account: ACCOUNT.id })).toBeNull();
  });
});

describe('hooks.integrations.customerio', () => {
  it('should set, get (masked) and delete with the same rules as the API', async () => {
    const set = await t.hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 'm1', api_key: API_KEY, region: 'eu' });
    expect(set).toMatchObject({ site_id: 'm1', region: 'eu', api_key: '********' });
    expect(await t.hooks.integrations.customerio.get(ACCOUNT.id)).toMatchObject({ site_id: 'm1' });
    await expect(t.hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 'm1', region: 'mars' })).rejects.toMatchObject({ status: 422 });
    await t.hooks.integrations.customerio.delete(ACCOUNT.id);
    expect(await t.hooks.integrations.customerio.get(ACCOUNT.id)).toBeNull();
    await expect(t.hooks.integrations.customerio.delete(ACCOUNT.id)).rejects.toMatchObject({ status: 404 });
    await expect(t.hooks.integrations.customerio.get('nobody')).rejects.toMatchObject({ status: 404 });
  });
});

describe('without secretsKey', () => {
  it('should store the secrets in clear and say so (secrets_encrypted: false)', async () => {
    const plain = await createTestApp();
    const res = await request(plain.app).put(PATH).set(AUTH).send({ site_id: 's', api_key: API_KEY }).expect(200);
    expect(res.body.integration.secrets_encrypted).toBe(false);
    const raw = await plain.db.db.collection('chameleon_integrations').findOne({ account: ACCOUNT.id });
    expect(raw?.api_key).toEqual({ alg: 'none', value: API_KEY });
  });
});

describe('track_url with allowHttp and allowPrivateNetworks', () => {
  it('should accept a loopback http track_url, stored without a trailing slash', async () => {
    const local = await createTestApp({ delivery: { allowHttp: true, allowPrivateNetworks: true } });
    const res = await request(local.app).put(PATH).set(AUTH).send({ site_id: 's', api_key: API_KEY, track_url: 'http://127.0.0.1:9999/' }).expect(200);
    expect(res.body.integration.track_url).toBe('http://127.0.0.1:9999');
  });
});
