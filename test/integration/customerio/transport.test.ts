// The Track API transport against a local Track API: identify once then the event, Basic auth, unix seconds,
// deterministic ids (Customer.io drops a resend), skipped profiles, limits, and what Customer.io's answers mean.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { useTestDb } from '../../helpers/db.js';
import { startTrackApi, type TrackApi } from '../../helpers/track-api.js';
import { createHttpSender } from '../../../lib/delivery/transport/http-sender.js';
import { IdentifiedPeople, type IdentifiedDoc } from '../../../lib/integrations/customerio/people-repo.js';
import { RateLimiter } from '../../../lib/integrations/customerio/rate-limiter.js';
import { TrackTransport, type TrackActivity } from '../../../lib/integrations/customerio/transport.js';
import type { MappingSettings } from '../../../lib/integrations/customerio/event-mapping.js';
import type { OpenIntegration } from '../../../lib/integrations/customerio/repo.js';
import { SILENT_LOGGER } from '../../../lib/logger.js';
import { loadFixture } from '../../unit/topics/topic-fixtures.js';

const SITE = 'site_transport';
const KEY = 'key_transport_0123';
const SETTINGS: MappingSettings = { step_seen: true, previews: false, events: {}, identifier: 'uid' };
const sender = createHttpSender({ timeoutMs: 2000, userAgent: 'test', allowHttp: true, allowPrivateNetworks: true, responseBodyBytes: 1024 });
let api: TrackApi;
let transport: TrackTransport;
let people: IdentifiedPeople;

function integration(overrides: Partial<OpenIntegration> = {}): OpenIntegration {
  return { id: new ObjectId(), account: 'acme', siteId: SITE, apiKey: KEY, baseUrl: api.baseUrl, identifier: 'uid', rateLimit: 1000, doc: {} as never, ...overrides };
}

function activity(uid: string, topic = 'tour.started', extra: Record<string, unknown> = {}): TrackActivity {
  const data = loadFixture('tour.started').data as Record<string, unknown>;
  return { webhookId: new ObjectId().toHexString(), topic, data: { ...data, profile: { ...(data.profile as object), uid }, ...extra }, createdAt: new Date('2026-11-27T10:00:00.900Z') };
}

beforeAll(async () => {
  const db = await useTestDb();
  api = await startTrackApi({ siteId: SITE, apiKey: KEY });
  people = new IdentifiedPeople(db.db.collection<IdentifiedDoc>('people'));
  transport = new TrackTransport({ sender, people, limiter: new RateLimiter(), logger: SILENT_LOGGER });
});
afterAll(async () => {
  await api.close();
  await sender.close();
});

describe('TrackTransport', () => {
  it('should identify a new person once, then send each event with Basic auth, seconds and a ULID', async () => {
    const target = integration();
    const first = await transport.send(target, SETTINGS, activity('p1'));
    expect(first.judgement?.outcome).toBe('success');
    expect(first.requests).toEqual(['PUT /api/v1/customers/p1 200', 'POST /api/v1/customers/p1/events 200']);
    const second = await transport.send(target, SETTINGS, activity('p1', 'tour.completed'));
    expect(second.requests).toEqual(['POST /api/v1/customers/p1/events 200']);
    expect(api.people.get('p1')).toMatchObject({ identifies: 1, attributes: { email: 'jane@example.com', created_at: parseInt('5f885a88', 16) } });
    const events = api.events.filter((e) => e.customerId === 'p1');
    expect(events.map((e) => e.name)).toEqual(['Started Tour (Chameleon)', 'Completed Tour (Chameleon)']);
    expect(events[0]!.timestamp).toBe(Date.parse('2026-11-27T10:00:00Z') / 1000);
    expect(events[0]!.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('should send the same id on a resend of the same delivery, which Customer.io drops', async () => {
    const target = integration();
    const same = activity('p2');
    await transport.send(target, SETTINGS, same);
    const before = api.duplicates;
    const again = await transport.send(target, SETTINGS, same);
    expect(again.judgement?.outcome).toBe('success');
    expect(api.duplicates).toBe(before + 1);
    expect(api.events.filter((e) => e.customerId === 'p2')).toHaveLength(1);
  });

  it('should remember identified people in the database (a new process does not identify again)', async () => {
    const target = integration();
    await transport.send(target, SETTINGS, activity('p3'));
    const fresh = new TrackTransport({ sender, people: new IdentifiedPeople((people as unknown as { collection: never }).collection), limiter: new RateLimiter(), logger: SILENT_LOGGER });
    const result = await fresh.send(target, SETTINGS, activity('p3'));
    expect(result.requests).toEqual(['POST /api/v1/customers/p3/events 200']);
  });

  it('should identify again in another workspace (site id)', async () => {
    const other = await startTrackApi({ siteId: 'site_other', apiKey: KEY });
    try {
      await transport.send(integration(), SETTINGS, activity('p4'));
      const result = await transport.send(integration({ siteId: 'site_other', baseUrl: other.baseUrl }), SETTINGS, activity('p4'));
      expect(result.requests[0]).toBe('PUT /api/v1/customers/p4 200');
    } finally {
      await other.close();
    }
  });

  it('should escape identifiers in the path', async () => {
    const result = await transport.send(integration(), SETTINGS, activity('a/b c?d'));
    expect(result.judgement?.outcome).toBe('success');
    expect(api.people.has('a/b c?d')).toBe(true);
  });

  it('should skip a profile without a uid, sending nothing', async () => {
    const before = api.requests.length;
    const result = await transport.send(integration(), SETTINGS, activity(null as unknown as string));
    expect(result.skipped).toMatch(/no uid/);
    expect(api.requests.length).toBe(before);
  });

  it('should trim data over 100,000 bytes, with a warning, and Customer.io accepts it', async () => {
    const result = await transport.send(integration(), SETTINGS, activity('p5', 'tour.started', { url: `https://x.example/${'u'.repeat(120_000)}` }));
    expect(result.judgement?.outcome).toBe('success');
    expect(result.warnings[0]).toMatch(/data\.url was trimmed/);
  });

  it.each<[number, string, boolean]>([
    [500, 'retry', false],
    [429, 'retry', false],
    [408, 'retry', false],
    [400, 'final', false],
    [401, 'final', true],
    [403, 'final', true],
    [404, 'final', false],
  ])('should judge a %s from the event request as %s', async (status, outcome, rejected) => {
    const target = integration();
    await transport.send(target, SETTINGS, activity(`known-${status}`));
    api.failNext(1, { status, headers: status === 429 ? { 'retry-after': '3' } : {} });
    const result = await transport.send(target, SETTINGS, activity(`known-${status}`));
    expect(result.judgement).toMatchObject({ outcome, credentialsRejected: rejected });
    expect(result.result?.status).toBe(status);
    if (status === 429) expect(result.result?.retryAfterMs).toBe(3000);
  });

  it('should stop at a failed identify (no event sent) and identify again next time', async () => {
    api.failNext(1, { status: 503 });
    const target = integration();
    const failed = await transport.send(target, SETTINGS, activity('p6'));
    expect(failed.requests).toEqual(['PUT /api/v1/customers/p6 503']);
    expect(failed.judgement?.outcome).toBe('retry');
    const ok = await transport.send(target, SETTINGS, activity('p6'));
    expect(ok.requests).toEqual(['PUT /api/v1/customers/p6 200', 'POST /api/v1/customers/p6/events 200']);
  });

  it('should be refused by the local Track API with wrong credentials (401, final, rejected)', async () => {
    const result = await transport.send(integration({ apiKey: 'wrong' }), SETTINGS, activity('p7'));
    expect(result.judgement).toMatchObject({ outcome: 'final', credentialsRejected: true });
  });

  it('should retry a network error (nothing listening)', async () => {
    const result = await transport.send(integration({ baseUrl: 'http://127.0.0.1:9' }), SETTINGS, activity('p8'));
    expect(result.judgement?.outcome).toBe('retry');
    expect(result.result?.errorKind).toBe('network');
  });
});
