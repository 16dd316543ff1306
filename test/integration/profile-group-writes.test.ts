// Integration test: single-profile writes of concurrent requests are grouped per event-loop turn
// (lib/store/record-writes.ts): one ordered bulkWrite and one read of the ids instead of a
// findOneAndUpdate each, with every request's own answer (its id, 404, 422) unchanged. A lone
// write keeps its one round trip. Single events likewise (their users' writes and the events' inserts),
// and single companies (a company request, or the company a profile links to).
// Real ingest functions, repositories and database.
import { afterAll, describe, expect, it } from 'vitest';
import { MongoClient, ObjectId, type CommandStartedEvent } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { Collections } from '../../lib/store/collections.js';
import { Bookkeeper } from '../../lib/catalogue/bookkeeper.js';
import { createIngestDeps } from '../../lib/ingest/deps.js';
import { ingestProfile } from '../../lib/ingest/profiles.js';
import { ingestEvent } from '../../lib/ingest/events.js';
import { ingestCompany } from '../../lib/ingest/companies.js';
import { SILENT_LOGGER } from '../../lib/logger.js';
import { ChameleonError } from '../../lib/errors.js';
import { mongoUri } from '../helpers/db.js';

async function setUp() {
  const client = new MongoClient(mongoUri(), { maxPoolSize: 20, monitorCommands: true });
  await client.connect();
  const db = client.db(`t_${randomBytes(5).toString('hex')}`);
  afterAll(async () => {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  });
  const collections = new Collections(db, 'chameleon_');
  await collections.ensureIndexes();
  const bookkeeper = new Bookkeeper(collections, { flushIntervalMs: 60_000, logger: SILENT_LOGGER });
  const deps = createIngestDeps(collections, bookkeeper, { valueBytes: 768, propertiesPerItem: 1000 });
  const commands: string[] = [];
  client.on('commandStarted', (e: CommandStartedEvent) => {
    if (e.commandName !== 'hello' && e.commandName !== 'isMaster') commands.push(e.commandName);
  });
  const profiles = db.collection('chameleon_profiles');
  const events = db.collection('chameleon_events');
  const companies = db.collection('chameleon_companies');
  return { deps, commands, profiles, events, companies };
}

/** Starts every item's ingest in the same turn (as concurrent requests do) and settles each. */
function concurrently(deps: Awaited<ReturnType<typeof setUp>>['deps'], items: Array<Record<string, unknown>>) {
  return Promise.allSettled(items.map((item) => ingestProfile('acme', item, deps)));
}

describe('grouped single-profile writes', () => {
  it('should write one turn of profiles with one bulk write and one read, each answered with its own id', async () => {
    const { deps, commands, profiles } = await setUp();
    commands.length = 0;
    const settled = await concurrently(deps, Array.from({ length: 20 }, (_, i) => ({ uid: `u${i}`, plan: 'free', seats: String(i) })));
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(commands).toEqual(['update', 'find']);
    for (const [i, s] of settled.entries()) {
      const id = (s as PromiseFulfilledResult<{ id: string }>).value.id;
      const doc = await profiles.findOne({ uid: `u${i}` });
      expect(doc!._id.toHexString()).toBe(id);
      expect(doc!.props).toEqual({ plan: 'free', seats: i });
    }
  });

  it('should keep a lone request to one findAndModify', async () => {
    const { deps, commands } = await setUp();
    commands.length = 0;
    const { id } = await ingestProfile('acme', { uid: 'alone', plan: 'pro' }, deps);
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(commands).toEqual(['findAndModify']);
  });

  it('should apply one turn in submission order: the same new uid twice is one profile, the later values win', async () => {
    const { deps, profiles } = await setUp();
    const settled = await concurrently(deps, [
      { uid: 'same', plan: 'free', seats: '1' },
      { uid: 'same', plan: 'gold' },
      { uid: 'other', plan: 'x' },
    ]);
    const ids = settled.map((s) => (s as PromiseFulfilledResult<{ id: string }>).value.id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(await profiles.countDocuments({ uid: 'same' })).toBe(1);
    expect((await profiles.findOne({ uid: 'same' }))!.props).toEqual({ plan: 'gold', seats: 1 });
  });

  it('should answer each request of a mixed turn as it would be answered alone: ids, a 404 and a 422 conflict', async () => {
    const { deps, profiles } = await setUp();
    const known = await ingestProfile('acme', { uid: 'known', email: 'known@example.com' }, deps);
    await ingestProfile('acme', { uid: 'owner', email: 'taken@example.com' }, deps);
    const settled = await concurrently(deps, [
      { id: known.id, plan: 'by-id' },
      { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', plan: 'missing' },
      { email: 'new@example.com', plan: 'by-email' },
      { uid: 'thief', email: 'taken@example.com' },
      { uid: 'fine', plan: 'ok' },
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseFulfilledResult<{ id: string }>).value.id).toBe(known.id);
    const notFound = (settled[1] as PromiseRejectedResult).reason as ChameleonError;
    expect(notFound).toBeInstanceOf(ChameleonError);
    expect(notFound.status).toBe(404);
    const conflict = (settled[3] as PromiseRejectedResult).reason as ChameleonError;
    expect(conflict.status).toBe(422);
    expect(conflict.messages.join(' ')).toContain('taken@example.com');
    expect((await profiles.findOne({ uid: 'known' }))!.props).toEqual({ plan: 'by-id' });
    expect((await profiles.findOne({ email: 'new@example.com' }))!.props).toEqual({ plan: 'by-email' });
    expect(await profiles.countDocuments({ uid: 'thief' })).toBe(0);
    expect((await profiles.findOne({ uid: 'fine' }))!.props).toEqual({ plan: 'ok' });
  });

  it('should give a profile first seen by email the uid of a later request in the same turn (adoption), as alone', async () => {
    const { deps, profiles } = await setUp();
    const byEmail = await ingestProfile('acme', { email: 'first@example.com', plan: 'trial' }, deps);
    const settled = await concurrently(deps, [{ uid: 'u-first', email: 'first@example.com', plan: 'paid' }, { uid: 'bystander' }]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    expect((settled[0] as PromiseFulfilledResult<{ id: string }>).value.id).toBe(byEmail.id);
    expect(await profiles.countDocuments({ email: 'first@example.com' })).toBe(1);
    expect((await profiles.findOne({ email: 'first@example.com' }))!.uid).toBe('u-first');
  });
});

describe('grouped single events', () => {
  it('should store one turn of events with one bulk write of their users, one read and one insert, each answered with its own id', async () => {
    const { deps, commands, profiles, events } = await setUp();
    await ingestProfile('acme', { uid: 'known', plan: 'gold' }, deps);
    commands.length = 0;
    const items = Array.from({ length: 12 }, (_, i) => ({ uid: i % 3 === 0 ? 'known' : `e${i}`, name: 'Tour Finished', step: String(i) }));
    const settled = await Promise.allSettled(items.map((item) => ingestEvent('acme', item, deps)));
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(commands).toEqual(['update', 'find', 'insert']);
    const known = (await profiles.findOne({ uid: 'known' }))!;
    for (const [i, s] of settled.entries()) {
      const event = (await events.findOne({ _id: new ObjectId((s as PromiseFulfilledResult<{ id: string }>).value.id) }))!;
      expect(event.props).toEqual({ step: i });
      const owner = (await profiles.findOne({ _id: event.profile_id }))!;
      expect(owner.uid).toBe(i % 3 === 0 ? 'known' : `e${i}`);
    }
    expect(await events.countDocuments({ profile_id: known._id })).toBe(4);
  });

  it('should answer each event of a turn as alone: an unknown profile id 404, the others stored', async () => {
    const { deps, events } = await setUp();
    const settled = await Promise.allSettled([
      ingestEvent('acme', { uid: 'a', name: 'One' }, deps),
      ingestEvent('acme', { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', name: 'Two' }, deps),
      ingestEvent('acme', { uid: 'b', name: 'Three' }, deps),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as ChameleonError).status).toBe(404);
    expect((await events.find({}).toArray()).map((e) => e.name).sort()).toEqual(['one', 'three']);
  });

  it('should leave an event stored before as it is when it comes again with its id (idempotent), in a group', async () => {
    const { deps, events } = await setUp();
    const id = new ObjectId();
    await ingestEvent('acme', { uid: 'r', name: 'Report', n: '1' }, deps, id);
    const settled = await Promise.allSettled([ingestEvent('acme', { uid: 'r', name: 'Report', n: '2' }, deps, id), ingestEvent('acme', { uid: 's', name: 'Other' }, deps)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    expect((await events.findOne({ _id: id }))!.props).toEqual({ n: 1 });
    expect(await events.countDocuments({})).toBe(2);
  });
});

describe('grouped single companies', () => {
  it('should write one turn of companies with one bulk write and one read, each answered with its own id, the same uid twice being one company', async () => {
    const { deps, commands, companies } = await setUp();
    commands.length = 0;
    const items = [...Array.from({ length: 10 }, (_, i) => ({ uid: `c${i}`, name: `Co ${i}`, seats: String(i) })), { uid: 'c0', plan: 'gold' }];
    const settled = await Promise.allSettled(items.map((item) => ingestCompany('acme', item, deps)));
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(commands).toEqual(['update', 'find']);
    const ids = settled.map((s) => (s as PromiseFulfilledResult<{ id: string }>).value.id);
    expect(ids[10]).toBe(ids[0]);
    expect(await companies.countDocuments({})).toBe(10);
    expect((await companies.findOne({ uid: 'c0' }))!.props).toMatchObject({ seats: 0, plan: 'gold' });
    expect((await companies.findOne({ uid: 'c7' }))!._id.toHexString()).toBe(ids[7]);
  });

  it('should link one turn of profiles to their companies with one grouped company write, then one grouped profile write', async () => {
    const { deps, commands, profiles, companies } = await setUp();
    commands.length = 0;
    const settled = await concurrently(deps, Array.from({ length: 8 }, (_, i) => ({ uid: `p${i}`, company: { uid: `k${i % 3}`, plan: 'team' } })));
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(commands).toEqual(['update', 'find', 'update', 'find']);
    for (let i = 0; i < 8; i++) {
      const profile = (await profiles.findOne({ uid: `p${i}` }))!;
      const company = (await companies.findOne({ uid: `k${i % 3}` }))!;
      expect(profile.company_id!.toHexString()).toBe(company._id.toHexString());
    }
    expect(await companies.countDocuments({})).toBe(3);
  });

  it('should answer an unknown company id 404 in a group, as alone, and store the others', async () => {
    const { deps, companies } = await setUp();
    const settled = await Promise.allSettled([ingestCompany('acme', { uid: 'x1' }, deps), ingestCompany('acme', { id: 'bbbbbbbbbbbbbbbbbbbbbbbb', plan: 'p' }, deps), ingestCompany('acme', { uid: 'x2' }, deps)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as ChameleonError).status).toBe(404);
    expect(await companies.countDocuments({})).toBe(2);
  });
});
