import { describe, it, expect, beforeAll } from 'vitest';
import request from 'supertest';
import { createTestApp, ACCOUNT, OTHER_ACCOUNT, type TestApp } from '../helpers/app.js';

describe('per-account rate limit', () => {
  let limited: TestApp;
  let unlimited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp({ rateLimit: { windowMs: 60_000, limit: 3 } });
    unlimited = await createTestApp();
  });

  it('should answer 429 with wait and X-Ratelimit-Wait once an account is over its limit', async () => {
    const path = `/v3/observe/hooks/${ACCOUNT.secret}/profiles`;
    for (let i = 0; i < 3; i++) await request(limited.app).post(path).send({ uid: `rl-${i}` }).expect(200);
    const res = await request(limited.app).post(path).send({ uid: 'rl-over' }).expect(429);
    expect(res.body).toEqual({ code: 429, messages: [expect.stringContaining('Too many requests')], wait: expect.any(Number) });
    expect(res.body.wait).toBeGreaterThan(0);
    expect(res.body.wait).toBeLessThanOrEqual(60);
    expect(res.headers['x-ratelimit-wait']).toBe(String(res.body.wait));
    // The requests under the limit were stored; the one over it was not.
    const profiles = limited.db.db.collection('chameleon_profiles');
    expect(await profiles.countDocuments({ uid: { $in: ['rl-0', 'rl-1', 'rl-2'] } })).toBe(3);
    expect(await profiles.countDocuments({ uid: 'rl-over' })).toBe(0);
  });

  it('should count each account separately and cover the read API too', async () => {
    await request(limited.app).get('/v3/edit/event_names').set('X-Account-Secret', OTHER_ACCOUNT.secret).expect(200);
    await request(limited.app).get('/v3/edit/event_names').set('X-Account-Secret', ACCOUNT.secret).expect(429);
  });

  it('should not limit by default', async () => {
    const path = `/v3/observe/hooks/${ACCOUNT.secret}/profiles`;
    const answers = await Promise.all(Array.from({ length: 150 }, (_, i) => request(unlimited.app).post(path).send({ uid: `free-${i}` })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });

  it('should reject a malformed rateLimit option by name', async () => {
    const { chameleonHooks, InvalidOptionError } = await import('../../lib/index.js');
    expect(() => chameleonHooks({ mongo: { uri: 'mongodb://127.0.0.1:1' }, rateLimit: { limit: 0 } })).toThrow(InvalidOptionError);
    try {
      chameleonHooks({ mongo: { uri: 'mongodb://127.0.0.1:1' }, rateLimit: { windowMs: -1 } });
    } catch (error) {
      expect((error as InstanceType<typeof InvalidOptionError>).option).toBe('rateLimit.windowMs');
    }
  });
});
