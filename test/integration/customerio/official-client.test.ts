// Customer.io's official client (customerio-node's TrackClient) and our transport make the same identify and
// track requests: method, path, Basic auth, content type and body, checked by the same local Track API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { TrackClient } from 'customerio-node';
import { fetch as undiciFetch } from 'undici';
import { useTestDb } from '../../helpers/db.js';
import { startTrackApi, type TrackApi } from '../../helpers/track-api.js';
import type { ReceivedRequest } from '../../helpers/receiver.js';
import { createHttpSender } from '../../../lib/delivery/transport/http-sender.js';
import { IdentifiedPeople, type IdentifiedDoc } from '../../../lib/integrations/customerio/people-repo.js';
import { RateLimiter } from '../../../lib/integrations/customerio/rate-limiter.js';
import { TrackTransport } from '../../../lib/integrations/customerio/transport.js';
import { SILENT_LOGGER } from '../../../lib/logger.js';
import { loadFixture } from '../../unit/topics/topic-fixtures.js';

const SITE = 'site_official';
const KEY = 'key_official_0123';
const sender = createHttpSender({ timeoutMs: 2000, userAgent: 'test', allowHttp: true, allowPrivateNetworks: true, responseBodyBytes: 1024 });
let ours: TrackApi;
let theirs: TrackApi;
let people: IdentifiedPeople;

beforeAll(async () => {
  const db = await useTestDb();
  people = new IdentifiedPeople(db.db.collection<IdentifiedDoc>('people'));
  ours = await startTrackApi({ siteId: SITE, apiKey: KEY });
  theirs = await startTrackApi({ siteId: SITE, apiKey: KEY });
});
afterAll(async () => {
  await Promise.all([ours.close(), theirs.close(), sender.close()]);
});

const shape = (r: ReceivedRequest) => ({
  method: r.method,
  path: r.path,
  authorization: r.headers.authorization,
  contentType: r.headers['content-type'],
  body: JSON.parse(r.body.toString('utf8')) as unknown,
});

describe('customerio-node TrackClient vs our transport', () => {
  it('should make the same identify and track requests', async () => {
    const data = loadFixture('tour.started').data as Record<string, unknown>;
    const uid = 'user/42 é';
    const transport = new TrackTransport({ sender, people, limiter: new RateLimiter(), logger: SILENT_LOGGER });
    const result = await transport.send(
      { id: new ObjectId(), account: 'acme', siteId: SITE, apiKey: KEY, baseUrl: ours.baseUrl, identifier: 'uid', rateLimit: 100, doc: {} as never },
      { step_seen: false, previews: false, events: {}, identifier: 'uid' },
      { webhookId: new ObjectId().toHexString(), topic: 'tour.started', data: { ...data, profile: { ...(data.profile as object), uid } }, createdAt: new Date() },
    );
    expect(result.judgement?.outcome).toBe('success');
    expect(ours.requests).toHaveLength(2);
    const [identify, track] = ours.requests.map(shape);

    // The official client, sent the same values, to the same kind of server. customerio-node 5
    // declares Node 22: on Node 20 the built-in fetch (an older undici) refuses the numeric
    // Content-Length header it sets, so it runs on the fetch of the undici package we depend on.
    const builtIn = globalThis.fetch;
    globalThis.fetch = undiciFetch as unknown as typeof fetch;
    try {
      const client = new TrackClient(SITE, KEY, { url: `${theirs.baseUrl}/api/v1`, retry: { maxRetries: 0 } });
      await client.identify(uid, identify!.body as Record<string, unknown>);
      await client.track(uid, track!.body as { name: string });
    } finally {
      globalThis.fetch = builtIn;
    }
    expect(theirs.requests).toHaveLength(2);
    const [officialIdentify, officialTrack] = theirs.requests.map(shape);

    expect(identify).toEqual(officialIdentify);
    expect(track).toEqual(officialTrack);
    // Both passed the local Track API's checks.
    expect(ours.events).toHaveLength(1);
    expect(theirs.events).toHaveLength(1);
    expect(Object.keys(track!.body as object).sort()).toEqual(['data', 'id', 'name', 'timestamp']);
  });
});
