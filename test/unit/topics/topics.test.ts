// Tests for lib/topics/topics.ts: the topic list and its guard.
import { describe, expect, it } from 'vitest';
import { isTopic, TOPICS } from '../../../lib/topics/index.js';

describe('TOPICS', () => {
  it('should list exactly the 26 topics of SPEC section 5, in its order', () => {
    expect(TOPICS).toEqual([
      'ping',
      'response.finished',
      'alert.triggered',
      'helpbar.answer',
      'helpbar.search',
      'helpbar.item.action',
      'helpbar.item.error',
      'tour.started',
      'tour.completed',
      'tour.exited',
      'tour.snoozed',
      'tour.button.clicked',
      'survey.started',
      'survey.completed',
      'survey.exited',
      'survey.snoozed',
      'survey.button.clicked',
      'embed.started',
      'embed.completed',
      'embed.exited',
      'embed.snoozed',
      'embed.button.clicked',
      'demo.started',
      'demo.reveal',
      'demo.finished',
      'demo.form.submitted',
    ]);
    expect(new Set(TOPICS).size).toBe(26);
  });
});

describe('isTopic', () => {
  it.each(TOPICS.map((t) => [t]))('should accept %s', (topic) => {
    expect(isTopic(topic)).toBe(true);
  });

  it.each([['tour.deleted'], ['Tour.Started'], ['tour.started '], [''], ['toString'], [42], [null], [undefined], [{}]])(
    'should reject %j',
    (value) => {
      expect(isTopic(value)).toBe(false);
    },
  );
});
