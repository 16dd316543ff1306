// Tests for the activity kinds (lib/topics/activities.ts, schemas/activities/): typed, schema-validated, and not webhook topics.
import { describe, expect, it } from 'vitest';
import { ACTIVITY_KINDS, InvalidPayloadError, TOPICS, UnknownTopicError, isActivityKind, isTopic, validatePublishData, validateTopicData } from '../../../lib/index.js';
import { loadFixture } from './topic-fixtures.js';

const started = loadFixture('tour.started').data as Record<string, unknown>;
const stepSeen = { profile: started.profile, tour: started.tour, step: started.step, step_number: 2, url: 'https://app.example.com/billing' };
const previewed = { profile: started.profile, tour: started.tour, url: 'https://app.example.com/' };

describe('activity kinds', () => {
  it('should not be webhook topics (endpoints cannot subscribe to them)', () => {
    for (const kind of ACTIVITY_KINDS) {
      expect(isActivityKind(kind)).toBe(true);
      expect(isTopic(kind)).toBe(false);
      expect(TOPICS).not.toContain(kind);
      expect(() => validateTopicData(kind, stepSeen)).toThrow(UnknownTopicError);
    }
  });

  it('should accept valid data for each kind, and every topic as before', () => {
    expect(() => validatePublishData('tour.step.seen', stepSeen)).not.toThrow();
    expect(() => validatePublishData('tour.previewed', previewed)).not.toThrow();
    expect(() => validatePublishData('tour.started', started)).not.toThrow();
  });

  it.each<[string, string, unknown, RegExp]>([
    ['step.seen without a step', 'tour.step.seen', { profile: started.profile, tour: started.tour }, /step/],
    ['step.seen without a profile', 'tour.step.seen', { tour: started.tour, step: started.step }, /profile/],
    ['step.seen with step_number 0', 'tour.step.seen', { ...stepSeen, step_number: 0 }, /step_number/],
    ['step.seen with a string step_number', 'tour.step.seen', { ...stepSeen, step_number: '2' }, /step_number/],
    ['previewed with a bad tour id', 'tour.previewed', { ...previewed, tour: { id: 'nope' } }, /tour\/id/],
    ['previewed with a numeric url', 'tour.previewed', { ...previewed, url: 42 }, /url/],
    ['previewed that is not an object', 'tour.previewed', 'tour', /data/],
  ])('should refuse %s with a typed error naming the field', (_name, kind, data, field) => {
    let caught: unknown;
    try {
      validatePublishData(kind, data);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPayloadError);
    expect((caught as InvalidPayloadError).messages.join(' ')).toMatch(field);
  });

  it('should refuse an unknown kind', () => {
    expect(() => validatePublishData('tour.step.skipped', stepSeen)).toThrow(UnknownTopicError);
  });
});
