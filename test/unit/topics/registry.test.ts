// Tests for lib/topics/registry.ts: every topic's data schema against the seed's examples and broken variants.
import { describe, expect, it } from 'vitest';
import { InvalidPayloadError, UnknownTopicError } from '../../../lib/errors.js';
import { TOPICS, topicSchema, validateTopicData, type Topic } from '../../../lib/topics/index.js';
import { fixtureData, loadFixture, TOPIC_ROWS } from './topic-fixtures.js';

/** The models each topic's row in the seed's table promises (the examples win for `profile` on demo topics). */
const PROMISED: Record<Topic, string[]> = {
  ping: ['account'],
  'response.finished': ['response', 'survey', 'profile'],
  'alert.triggered': ['alert_group', 'experiences'],
  'helpbar.answer': ['action', 'profile'],
  'helpbar.search': ['action', 'profile'],
  'helpbar.item.action': ['action', 'profile'],
  'helpbar.item.error': ['action', 'profile'],
  'tour.started': ['tour', 'step', 'profile'],
  'tour.completed': ['tour', 'step', 'profile'],
  'tour.exited': ['tour', 'step', 'profile'],
  'tour.snoozed': ['action', 'tour', 'step', 'profile'],
  'tour.button.clicked': ['tour', 'step', 'button', 'profile'],
  'survey.started': ['survey', 'step', 'profile'],
  'survey.completed': ['survey', 'step', 'profile'],
  'survey.exited': ['survey', 'step', 'profile'],
  'survey.snoozed': ['action', 'survey', 'step', 'profile'],
  'survey.button.clicked': ['survey', 'step', 'button', 'profile'],
  'embed.started': ['embed', 'step', 'profile'],
  'embed.completed': ['embed', 'step', 'profile'],
  'embed.exited': ['embed', 'step', 'profile'],
  'embed.snoozed': ['action', 'embed', 'step', 'profile'],
  'embed.button.clicked': ['embed', 'step', 'button', 'profile'],
  'demo.started': ['demo', 'demo_run', 'profile'],
  'demo.reveal': ['demo', 'demo_run'],
  'demo.finished': ['demo', 'demo_run'],
  'demo.form.submitted': ['demo', 'demo_run', 'action'],
};

const LIFECYCLE = TOPICS.filter((t) => /^(tour|survey|embed)\.(started|completed|exited)$/.test(t));
const SNOOZES = ['tour.snoozed', 'survey.snoozed', 'embed.snoozed'] as const;
const GROUP_KINDS = [null, 'link', 'api_js', 'launcher', 'experiment', 'campaign', 'delivery', 'helpbar', 'agent'];

/** The problems `validateTopicData` reports, or `[]` when the data is valid. */
function problemsOf(topic: string, data: unknown): string[] {
  try {
    validateTopicData(topic, data);
    return [];
  } catch (error) {
    if (error instanceof InvalidPayloadError) return error.details?.problems as string[];
    throw error;
  }
}

function record(value: unknown): Record<string, unknown> {
  return value as Record<string, unknown>;
}

describe('validateTopicData', () => {
  describe('the seed examples', () => {
    it.each(TOPIC_ROWS)('should accept the example data of %s', (topic) => {
      const fixture = loadFixture(topic);
      expect(fixture.kind).toBe(topic);
      expect(fixture.id).toMatch(/^[0-9a-f]{24}$/);
      expect(Number.isNaN(Date.parse(fixture.sent_at))).toBe(false);
      expect(() => validateTopicData(topic, fixture.data)).not.toThrow();
    });

    it('should keep every promised model in the examples', () => {
      for (const topic of TOPICS) expect(Object.keys(fixtureData(topic))).toEqual(expect.arrayContaining(PROMISED[topic]));
    });
  });

  describe('promised models', () => {
    const rows = TOPICS.flatMap((topic) => PROMISED[topic].map((model) => [topic, model] as const));

    it.each(rows)('should reject %s data without %s', (topic, model) => {
      const data = fixtureData(topic);
      delete data[model];
      expect(problemsOf(topic, data)).toEqual([`data must have required property '${model}'`]);
    });

    const withIds = TOPICS.flatMap((topic) =>
      Object.entries(fixtureData(topic))
        .filter(([, value]) => typeof value === 'object' && value !== null && 'id' in value)
        .map(([key]) => [topic, key] as const),
    );

    it.each(withIds)('should require the id of %s data/%s', (topic, key) => {
      const data = fixtureData(topic);
      delete record(data[key]).id;
      expect(problemsOf(topic, data)).toContain(`data/${key} must have required property 'id'`);
    });

    // A model's id is a 24-hex Chameleon id; an account's may also be a host's static account id ('acme').
    it.each(withIds)('should require a valid id in %s data/%s', (topic, key) => {
      const data = fixtureData(topic);
      record(data[key]).id = 'not an id!';
      const pattern = key === 'account' ? '^[A-Za-z0-9_.-]{1,64}$' : '^[0-9a-fA-F]{24}$';
      expect(problemsOf(topic, data)).toEqual([`data/${key}/id must match pattern "${pattern}"`]);
    });

    it('should require the id of every experience of alert.triggered', () => {
      const data = fixtureData('alert.triggered');
      delete record((data.experiences as unknown[])[1]).id;
      expect(problemsOf('alert.triggered', data)).toEqual([`data/experiences/1 must have required property 'id'`]);
    });

    it('should accept models with keys the schemas do not name', () => {
      const data = fixtureData('tour.started');
      record(data.tour).future_key = { anything: [1, 2, 3] };
      data.company = { id: '5f885a88e7daf3000e3eb4f6' };
      expect(problemsOf('tour.started', data)).toEqual([]);
    });
  });

  describe('snoozes', () => {
    it.each(SNOOZES.flatMap((t) => ['deferred_until', 'deferred_hours', 'deferred_count'].map((k) => [t, k] as const)))(
      'should reject a %s action without %s',
      (topic, key) => {
        const data = fixtureData(topic);
        delete record(data.action)[key];
        expect(problemsOf(topic, data)).toEqual([`data/action must have required property '${key}'`]);
      },
    );

    it('should reject a snooze that ends at no valid date-time', () => {
      const data = fixtureData('tour.snoozed');
      record(data.action).deferred_until = 'in three days';
      expect(problemsOf('tour.snoozed', data)).toEqual([`data/action/deferred_until must match format "date-time"`]);
    });

    it('should reject a negative number of hours', () => {
      const data = fixtureData('survey.snoozed');
      record(data.action).deferred_hours = -1;
      expect(problemsOf('survey.snoozed', data)).toEqual(['data/action/deferred_hours must be >= 0']);
    });
  });

  describe('lifecycle actions', () => {
    const rows = LIFECYCLE.flatMap((topic) => GROUP_KINDS.map((kind) => [topic, kind] as const));

    it.each(rows)('should accept %s with group_kind %j', (topic, kind) => {
      const data = fixtureData(topic);
      Object.assign(record(data.action), { group_kind: kind, group_id: kind ? '5f885a88e7daf3000e3eb4f7' : null });
      expect(problemsOf(topic, data)).toEqual([]);
    });

    it.each(LIFECYCLE.map((t) => [t]))('should reject %s with an unknown group_kind', (topic) => {
      const data = fixtureData(topic);
      record(data.action).group_kind = 'newsletter';
      const [problem] = problemsOf(topic, data);
      expect(problem).toMatch(/^data\/action\/group_kind must be equal to one of the allowed values: null, "link", /);
    });

    it('should reject a group_id that is not an id', () => {
      const data = fixtureData('embed.exited');
      record(data.action).group_id = 42;
      expect(problemsOf('embed.exited', data)).toEqual(['data/action/group_id must be string,null']);
    });
  });

  describe('demos', () => {
    it.each([['last_step'], ['timeout_30m']])('should accept demo.finished with finished_kind %s', (kind) => {
      const data = fixtureData('demo.finished');
      record(data.demo_run).finished_kind = kind;
      expect(problemsOf('demo.finished', data)).toEqual([]);
    });

    it.each([['timeout_30m"'], ['timeout'], [null]])('should reject demo.finished with finished_kind %j', (kind) => {
      const data = fixtureData('demo.finished');
      record(data.demo_run).finished_kind = kind;
      expect(problemsOf('demo.finished', data)[0]).toMatch(/^data\/demo_run\/finished_kind must be/);
    });

    it('should reject demo.finished without finished_kind', () => {
      const data = fixtureData('demo.finished');
      delete record(data.demo_run).finished_kind;
      expect(problemsOf('demo.finished', data)).toEqual([`data/demo_run must have required property 'finished_kind'`]);
    });

    it.each([['actions'], ['submissions']])('should reject demo.finished without demo_run.%s (the seed: the final webhook contains them all)', (key) => {
      const data = fixtureData('demo.finished');
      delete record(data.demo_run)[key];
      expect(problemsOf('demo.finished', data)).toEqual([`data/demo_run must have required property '${key}'`]);
    });

    it.each([['reveal_domain'], ['reveal_name'], ['clearbit_uid']])('should reject demo.reveal without demo_run.%s', (key) => {
      const data = fixtureData('demo.reveal');
      delete record(data.demo_run)[key];
      expect(problemsOf('demo.reveal', data)).toEqual([`data/demo_run must have required property '${key}'`]);
    });

    it('should reject demo.form.submitted without action.submission', () => {
      const data = fixtureData('demo.form.submitted');
      delete record(data.action).submission;
      expect(problemsOf('demo.form.submitted', data)).toEqual([`data/action must have required property 'submission'`]);
    });

    it('should accept an anonymous demo.started (profile null) but not a missing or broken profile', () => {
      const data = fixtureData('demo.started');
      data.profile = null;
      expect(problemsOf('demo.started', data)).toEqual([]);
      data.profile = {};
      expect(problemsOf('demo.started', data)).toEqual([`data/profile must have required property 'id'`]);
      data.profile = 'jane';
      expect(problemsOf('demo.started', data)).toEqual(['data/profile must be object']);
    });

    it.each([['demo.reveal'], ['demo.finished'], ['demo.form.submitted']] as const)(
      'should accept %s with a profile, with null, or without one',
      (topic) => {
        const data = fixtureData(topic);
        expect(problemsOf(topic, data)).toEqual([]);
        data.profile = fixtureData('demo.started').profile;
        expect(problemsOf(topic, data)).toEqual([]);
        data.profile = null;
        expect(problemsOf(topic, data)).toEqual([]);
      },
    );

    it('should accept demo actions with an empty id but not any other non-id', () => {
      const data = fixtureData('demo.finished');
      const actions = record(data.demo_run).actions as Record<string, unknown>[];
      expect(actions[0]?.id).toBe('');
      actions[0]!.id = 'demo-started';
      expect(problemsOf('demo.finished', data)).toEqual([
        'data/demo_run/actions/0/id must match pattern "^([0-9a-fA-F]{24})?$"',
      ]);
    });
  });

  describe('bad input', () => {
    it.each([['tour.deleted'], [''], ['TOUR.STARTED'], ['constructor']])('should throw UnknownTopicError for %j', (topic) => {
      expect(() => validateTopicData(topic, fixtureData('tour.started'))).toThrow(UnknownTopicError);
    });

    it('should name the unknown topic', () => {
      expect(() => validateTopicData('tour.deleted', {})).toThrow('Unknown topic "tour.deleted"');
    });

    it.each(TOPICS.flatMap((topic) => [null, 'data', 42, [], true].map((value) => [topic, value] as const)))(
      'should reject %s data %j that is not an object',
      (topic, value) => {
        expect(problemsOf(topic, value)).toEqual(['data must be object']);
      },
    );

    it('should throw an InvalidPayloadError with a 422 and topic-prefixed messages', () => {
      const data = fixtureData('tour.started');
      delete record(data.tour).id;
      let thrown: unknown;
      try {
        validateTopicData('tour.started', data);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidPayloadError);
      const error = thrown as InvalidPayloadError;
      expect(error.code).toBe('CH_ERR_INVALID_PAYLOAD');
      expect(error.status).toBe(422);
      expect(error.messages).toEqual([`tour.started: data/tour must have required property 'id'`]);
      expect(error.details).toEqual({ topic: 'tour.started', problems: [`data/tour must have required property 'id'`] });
    });
  });
});

describe('topicSchema', () => {
  it.each(TOPIC_ROWS)('should return the draft-07 schema of %s', (topic) => {
    const schema = topicSchema(topic) as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toMatch(new RegExp(`/topics/${topic.replaceAll('.', '\\.')}\\.json$`));
    expect(schema.required).toEqual(expect.arrayContaining(PROMISED[topic]));
  });

  it('should return a copy that callers cannot use to change the registry', () => {
    const schema = topicSchema('ping') as { required: string[] };
    schema.required.push('nothing');
    expect(topicSchema('ping')).toMatchObject({ required: ['account'] });
  });

  it('should throw UnknownTopicError for an unknown topic', () => {
    expect(() => topicSchema('tour.deleted' as Topic)).toThrow(UnknownTopicError);
  });
});
