// Tests for the pure parts of the Customer.io destination: event ids, topic → event mapping, limits, classification, pacing.
import { describe, expect, it } from 'vitest';
import { eventUlid } from '../../../lib/integrations/customerio/event-id.js';
import { eventNameFor, eventProperties, mapActivity, type MappingSettings } from '../../../lib/integrations/customerio/event-mapping.js';
import { cutToBytes, fitData } from '../../../lib/integrations/customerio/limits.js';
import { classifyTrack } from '../../../lib/integrations/customerio/classify.js';
import { RateLimiter } from '../../../lib/integrations/customerio/rate-limiter.js';
import { loadFixture } from '../topics/topic-fixtures.js';
import type { Topic } from '../../../lib/topics/index.js';

const SETTINGS: MappingSettings = { step_seen: false, previews: false, events: {}, identifier: 'uid' };
const data = (topic: Topic) => loadFixture(topic).data as Record<string, unknown>;
const WEBHOOK = '65a1b2c3d4e5f60718293a4b';
const INTEGRATION = '65a1b2c3d4e5f60718293a4c';

describe('eventUlid', () => {
  it('should be a 26-character Crockford ULID, the same for the same (webhook, destination)', () => {
    const at = new Date('2026-11-27T12:00:00.000Z');
    const id = eventUlid(WEBHOOK, INTEGRATION, at);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(eventUlid(WEBHOOK, INTEGRATION, at)).toBe(id);
  });

  it('should differ per webhook and per destination, and encode the time in its first 10 characters', () => {
    const at = new Date('2026-11-27T12:00:00.000Z');
    const id = eventUlid(WEBHOOK, INTEGRATION, at);
    expect(eventUlid(WEBHOOK, '65a1b2c3d4e5f60718293a4d', at)).not.toBe(id);
    expect(eventUlid('65a1b2c3d4e5f60718293a4e', INTEGRATION, at)).not.toBe(id);
    // The ULID spec's own example: 1469918176385 ms encodes as 01ARYZ6S41.
    expect(eventUlid(WEBHOOK, INTEGRATION, new Date(1469918176385)).slice(0, 10)).toBe('01ARYZ6S41');
    const later = eventUlid(WEBHOOK, INTEGRATION, new Date(at.getTime() + 1));
    expect(later > id).toBe(true);
  });
});

describe('eventNameFor', () => {
  it.each<[string, Partial<MappingSettings>, string | undefined]>([
    ['tour.started', {}, 'Started Tour (Chameleon)'],
    ['tour.completed', {}, 'Completed Tour (Chameleon)'],
    ['tour.exited', {}, 'Exited Tour (Chameleon)'],
    ['tour.snoozed', {}, undefined],
    ['survey.completed', {}, undefined],
    ['survey.completed', { events: { 'survey.completed': 'Completed Survey' } }, 'Completed Survey'],
    ['tour.started', { events: { 'tour.started': 'Tour Began' } }, 'Tour Began'],
    ['tour.step.seen', {}, undefined],
    ['tour.step.seen', { step_seen: true }, 'Step Seen (Chameleon)'],
    ['tour.previewed', {}, undefined],
    ['tour.previewed', { previews: true }, 'Previewed Tour (Chameleon)'],
    ['toString', {}, undefined],
    ['__proto__', { events: {} }, undefined],
  ])('should name %s with %j as %s', (topic, settings, name) => {
    expect(eventNameFor(topic, { ...SETTINGS, ...settings })).toBe(name);
  });
});

describe('mapActivity', () => {
  const at = Date.parse('2026-11-27T12:00:00.750Z');

  it('should map tour.started to the uid, with unix-second timestamps and the tour, step and action properties', () => {
    const mapped = mapActivity('tour.started', { ...data('tour.started'), url: 'https://app.example.com/billing' }, SETTINGS, at);
    expect(mapped).toEqual({
      event: {
        person: { id: '92340834', email: 'jane@example.com', created_at: parseInt('5f885a88', 16) },
        name: 'Started Tour (Chameleon)',
        timestamp: Math.floor(at / 1000),
        data: {
          experience_kind: 'tour',
          tour_id: '5fb6e4ab8af58a00073f0d98',
          tour_name: 'Usage upsell banner - A',
          url: 'https://app.example.com/billing',
          step_id: '5fb6e4ab8af58a00073f0d99',
          action_id: '5f885a88e7daf3000e3eb4f6',
        },
      },
    });
  });

  it('should carry the button of a clicked button and the step number of a seen step', () => {
    const clicked = mapActivity('tour.button.clicked', data('tour.button.clicked'), { ...SETTINGS, events: { 'tour.button.clicked': 'Clicked' } }, at);
    expect('event' in clicked && clicked.event.data).toMatchObject({ button_id: '5fb6e4ab8af58a00073f0d9a', button_text: 'Check pricing', button_action: 'next' });
    const seen = mapActivity('tour.step.seen', { ...data('tour.started'), step_number: 3 }, { ...SETTINGS, step_seen: true }, at);
    expect('event' in seen && seen.event).toMatchObject({ name: 'Step Seen (Chameleon)', data: { step_number: 3 } });
  });

  it('should find the step number from the tour\'s steps', () => {
    const base = data('tour.started');
    const tour = { ...(base.tour as object), steps: [{ id: '5fb6e4ab8af58a00073f0d90' }, { id: '5fb6e4ab8af58a00073f0d99' }] };
    const mapped = mapActivity('tour.completed', { ...base, tour }, SETTINGS, at);
    expect('event' in mapped && mapped.event.data.step_number).toBe(2);
  });

  it('should name a survey by its own fields', () => {
    const mapped = mapActivity('survey.completed', data('survey.completed'), { ...SETTINGS, events: { 'survey.completed': 'Completed Survey' } }, at);
    expect('event' in mapped && mapped.event.data).toMatchObject({ experience_kind: 'survey', survey_id: expect.any(String) });
  });

  it('should use the email with identifier email, and prefer profile.created_at', () => {
    const base = data('tour.started');
    const profile = { ...(base.profile as object), created_at: '2020-01-02T03:04:05Z' };
    const mapped = mapActivity('tour.started', { ...base, profile }, { ...SETTINGS, identifier: 'email' }, at);
    expect('event' in mapped && mapped.event.person).toEqual({ id: 'jane@example.com', email: 'jane@example.com', created_at: Date.parse('2020-01-02T03:04:05Z') / 1000 });
  });

  it.each<[string, Record<string, unknown>, Partial<MappingSettings>, RegExp]>([
    ['no uid', { uid: null }, {}, /no uid/],
    ['an empty uid', { uid: '' }, {}, /no uid/],
    ['no email with identifier email', { email: null }, { identifier: 'email' }, /no email/],
    ['a uid over 150 bytes', { uid: 'u'.repeat(151) }, {}, /150-byte/],
  ])('should skip a profile with %s, with the reason', (_name, change, settings, reason) => {
    const base = data('tour.started');
    const mapped = mapActivity('tour.started', { ...base, profile: { ...(base.profile as object), ...change } }, { ...SETTINGS, ...settings }, at);
    expect(mapped).toEqual({ skipped: expect.stringMatching(reason) });
  });

  it('should skip activity without a profile, and topics the integration does not forward', () => {
    expect(mapActivity('tour.started', { tour: { id: 'x' } }, SETTINGS, at)).toEqual({ skipped: expect.stringMatching(/no profile/) });
    expect(mapActivity('tour.snoozed', data('tour.snoozed'), SETTINGS, at)).toEqual({ skipped: expect.stringMatching(/does not receive tour.snoozed/) });
  });

  it('should never copy unknown payload fields (only the documented properties)', () => {
    const props = eventProperties('tour.started', { ...data('tour.started'), secret_field: 'x', $where: 'y' });
    expect(Object.keys(props)).not.toContain('secret_field');
    expect(Object.keys(props)).not.toContain('$where');
  });
});

describe('limits', () => {
  it('should cut names to 100 bytes on a character boundary', () => {
    expect(cutToBytes('é'.repeat(60), 100)).toBe('é'.repeat(50));
    expect(cutToBytes('aé', 2)).toBe('a');
    expect(cutToBytes('short', 100)).toBe('short');
  });

  it('should leave data under 100,000 bytes alone', () => {
    expect(fitData({ a: 'x'.repeat(1000) })).toEqual({ data: { a: 'x'.repeat(1000) }, warnings: [] });
  });

  it('should trim the largest fields until the data fits, with a warning for each', () => {
    const { data: out, warnings } = fitData({ url: 'u'.repeat(150_000), tour_name: 'n'.repeat(30_000), tour_id: 'keep', nested: { big: 'b'.repeat(90_000) } });
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(100_000);
    expect(out.tour_id).toBe('keep');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(/^data\.url was trimmed from \d+ to \d+ bytes/);
  });

  it('should trim multi-byte and escaped strings to fit too', () => {
    const { data: out } = fitData({ a: '€'.repeat(40_000), b: '"\n'.repeat(30_000) });
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(100_000);
    expect(JSON.stringify(out)).not.toContain('\uFFFD');
  });
});

describe('classifyTrack', () => {
  it.each<[string, Parameters<typeof classifyTrack>[0], string, boolean]>([
    ['200', { ok: true, status: 200, durationMs: 1 }, 'success', false],
    ['204', { ok: true, status: 204, durationMs: 1 }, 'success', false],
    ['408', { ok: false, status: 408, durationMs: 1, errorKind: 'http' }, 'retry', false],
    ['429', { ok: false, status: 429, durationMs: 1, errorKind: 'http', retryAfterMs: 5000 }, 'retry', false],
    ['500', { ok: false, status: 500, durationMs: 1, errorKind: 'http' }, 'retry', false],
    ['503', { ok: false, status: 503, durationMs: 1, errorKind: 'http' }, 'retry', false],
    ['524', { ok: false, status: 524, durationMs: 1, errorKind: 'http' }, 'retry', false],
    ['a timeout', { ok: false, durationMs: 7000, errorKind: 'timeout' }, 'retry', false],
    ['a network error', { ok: false, durationMs: 1, errorKind: 'network' }, 'retry', false],
    ['a refused address', { ok: false, durationMs: 1, errorKind: 'forbidden_address' }, 'retry', false],
    ['a refused http URL', { ok: false, durationMs: 1, errorKind: 'forbidden_url' }, 'final', false],
    ['400', { ok: false, status: 400, durationMs: 1, errorKind: 'http' }, 'final', false],
    ['401', { ok: false, status: 401, durationMs: 1, errorKind: 'http' }, 'final', true],
    ['403', { ok: false, status: 403, durationMs: 1, errorKind: 'http' }, 'final', true],
    ['404', { ok: false, status: 404, durationMs: 1, errorKind: 'http' }, 'final', false],
    ['a 301 redirect', { ok: false, status: 301, durationMs: 1, errorKind: 'redirect', error: 'Redirect 301 to x not followed' }, 'final', false],
  ])('should judge %s', (_name, result, outcome, rejected) => {
    const judgement = classifyTrack(result);
    expect(judgement.outcome).toBe(outcome);
    expect(judgement.credentialsRejected).toBe(rejected);
    if (outcome === 'final') expect(judgement.reason).toBeTruthy();
  });
});

describe('RateLimiter', () => {
  it('should allow a burst of one second\'s worth, then space requests evenly', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const waits = Array.from({ length: 13 }, () => limiter.reserve('a', 10));
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(waits[10]).toBeCloseTo(100);
    expect(waits[11]).toBeCloseTo(200);
    expect(waits[12]).toBeCloseTo(300);
    expect(limiter.reserve('b', 10)).toBe(0); // keys are independent
    now = 10_000;
    expect(limiter.reserve('a', 10)).toBe(0); // recovered
  });

  it('should hold a sustained rate: n requests take at least (n - rate) / rate seconds', () => {
    const limiter = new RateLimiter(() => 0);
    let last = 0;
    for (let i = 0; i < 250; i++) last = limiter.reserve('x', 100);
    expect(last).toBeGreaterThanOrEqual(((250 - 100) / 100) * 1000 - 10);
  });
});
