// Tests for accounts stored in MongoDB: secrets are shown once, only their SHA-256 is kept, and lookup is by that hash.
import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createHash } from 'node:crypto';
import { ChameleonError, type CreatedAccount } from '../../lib/index.js';
import { createTestApp, ACCOUNT, type TestApp } from '../helpers/app.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Every string anywhere in a document. */
function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) allStrings(item, out);
  else if (value && typeof value === 'object' && !(value instanceof Date)) for (const item of Object.values(value)) allStrings(item, out);
  return out;
}

describe('stored accounts (no static accounts in the options)', () => {
  let t: TestApp;
  let initech: CreatedAccount;
  let hooli: CreatedAccount;

  beforeAll(async () => {
    t = await createTestApp({ accounts: [] });
    initech = await t.hooks.accounts.create({ name: 'Initech' });
    hooli = await t.hooks.accounts.create({ name: '  Hooli  ' });
  });

  it('should return the new account’s secrets once, distinct per account', () => {
    expect(initech).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), name: 'Initech', secret: expect.stringMatching(/^acct_/), webhookSecret: expect.stringMatching(/^whsec_/) });
    expect(hooli.name).toBe('Hooli');
    expect(initech.secret.length).toBeGreaterThanOrEqual(40);
    expect(new Set([initech.secret, hooli.secret, initech.webhookSecret, hooli.webhookSecret]).size).toBe(4);
  });

  it('should keep only the SHA-256 of the account secret in the accounts collection', async () => {
    const docs = await t.db.db.collection('chameleon_accounts').find().toArray();
    expect(docs).toHaveLength(2);
    const strings = docs.flatMap((d) => allStrings(d));
    for (const secret of [initech.secret, hooli.secret]) {
      expect(strings.some((s) => s.includes(secret))).toBe(false);
      expect(strings.some((s) => s.includes(secret.slice(5)))).toBe(false); // not even without its prefix
    }
    const stored = docs.find((d) => String(d._id) === initech.id)!;
    expect(stored.secret_hash).toBe(sha256(initech.secret));
  });

  it('should authenticate the returned secret, in the path and in the header', async () => {
    const res = await request(t.app).post(`/v3/observe/hooks/${initech.secret}/profiles`).send({ uid: 'initech-user', plan: 'gold' }).expect(200);
    const read = await request(t.app).get(`/v3/analyze/profiles/${res.body.profile.id}`).set('X-Account-Secret', initech.secret).expect(200);
    expect(read.body.profile).toMatchObject({ uid: 'initech-user', plan: 'gold' });
  });

  it.each<[string, (secret: string) => string]>([
    ['the last character changed', (s) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A')],
    ['one character missing', (s) => s.slice(0, -1)],
    ['one character more', (s) => `${s}x`],
    ['different case', (s) => s.toUpperCase()],
    ['the stored hash itself', (s) => sha256(s)],
    ['the webhook secret', () => hooli.webhookSecret],
    ['a static-account secret of another app', () => ACCOUNT.secret],
  ])('should answer 403 for a secret with %s', async (_label, wrong) => {
    const res = await request(t.app).post(`/v3/observe/hooks/${wrong(initech.secret)}/profiles`).send({ uid: 'intruder' }).expect(403);
    expect(res.body).toEqual({ code: 403, messages: ['Unknown account secret'] });
  });

  it('should keep the data of stored accounts apart', async () => {
    await request(t.app).post(`/v3/observe/hooks/${hooli.secret}/profiles`).send({ uid: 'initech-user', plan: 'hooli-plan' }).expect(200);
    const initechView = await request(t.app).get('/v3/analyze/profile?uid=initech-user').set('X-Account-Secret', initech.secret).expect(200);
    expect(initechView.body.profile.plan).toBe('gold');
    const hooliView = await request(t.app).get('/v3/analyze/profile?uid=initech-user').set('X-Account-Secret', hooli.secret).expect(200);
    expect(hooliView.body.profile.plan).toBe('hooli-plan');
  });

  it.each<[string, unknown]>([
    ['an empty name', { name: '' }],
    ['a blank name', { name: '   ' }],
    ['no name', {}],
    ['a name that is not a string', { name: 42 }],
  ])('should refuse to create an account with %s', async (_label, input) => {
    await expect(t.hooks.accounts.create(input as { name: string })).rejects.toMatchObject({ code: 'CH_ERR_UNPROCESSABLE', status: 422 });
  });
});

describe('static accounts', () => {
  it('should refuse to create accounts at run time', async () => {
    const t = await createTestApp();
    const error = await t.hooks.accounts.create({ name: 'Nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChameleonError);
    expect(await t.db.db.collection('chameleon_accounts').countDocuments()).toBe(0);
  });
});
