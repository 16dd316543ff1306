// Type-level tests: the seed's examples satisfy the generated TopicPayloads types, and validation narrows to them.
import { describe, expectTypeOf, it } from 'vitest';
import {
  validateTopicData,
  type DemoFinishedData,
  type FinishedKind,
  type GroupKind,
  type Topic,
  type TopicPayloads,
  type TourStartedData,
} from '../../../lib/topics/index.js';
import ping from '../../fixtures/topics/ping.json' with { type: 'json' };
import responseFinished from '../../fixtures/topics/response.finished.json' with { type: 'json' };
import alertTriggered from '../../fixtures/topics/alert.triggered.json' with { type: 'json' };
import helpbarAnswer from '../../fixtures/topics/helpbar.answer.json' with { type: 'json' };
import helpbarSearch from '../../fixtures/topics/helpbar.search.json' with { type: 'json' };
import helpbarItemAction from '../../fixtures/topics/helpbar.item.action.json' with { type: 'json' };
import helpbarItemError from '../../fixtures/topics/helpbar.item.error.json' with { type: 'json' };
import tourStarted from '../../fixtures/topics/tour.started.json' with { type: 'json' };
import tourCompleted from '../../fixtures/topics/tour.completed.json' with { type: 'json' };
import tourExited from '../../fixtures/topics/tour.exited.json' with { type: 'json' };
import tourSnoozed from '../../fixtures/topics/tour.snoozed.json' with { type: 'json' };
import tourButtonClicked from '../../fixtures/topics/tour.button.clicked.json' with { type: 'json' };
import surveyStarted from '../../fixtures/topics/survey.started.json' with { type: 'json' };
import surveyCompleted from '../../fixtures/topics/survey.completed.json' with { type: 'json' };
import surveyExited from '../../fixtures/topics/survey.exited.json' with { type: 'json' };
import surveySnoozed from '../../fixtures/topics/survey.snoozed.json' with { type: 'json' };
import surveyButtonClicked from '../../fixtures/topics/survey.button.clicked.json' with { type: 'json' };
import embedStarted from '../../fixtures/topics/embed.started.json' with { type: 'json' };
import embedCompleted from '../../fixtures/topics/embed.completed.json' with { type: 'json' };
import embedExited from '../../fixtures/topics/embed.exited.json' with { type: 'json' };
import embedSnoozed from '../../fixtures/topics/embed.snoozed.json' with { type: 'json' };
import embedButtonClicked from '../../fixtures/topics/embed.button.clicked.json' with { type: 'json' };
import demoStarted from '../../fixtures/topics/demo.started.json' with { type: 'json' };
import demoReveal from '../../fixtures/topics/demo.reveal.json' with { type: 'json' };
import demoFinished from '../../fixtures/topics/demo.finished.json' with { type: 'json' };
import demoFormSubmitted from '../../fixtures/topics/demo.form.submitted.json' with { type: 'json' };

/**
 * Every example's `data`, checked by the compiler against its topic's type. JSON imports widen
 * strings, so `demo.finished` (whose `finished_kind` is an enum) is spelled out below instead.
 */
const EXAMPLES = {
  ping: ping.data,
  'response.finished': responseFinished.data,
  'alert.triggered': alertTriggered.data,
  'helpbar.answer': helpbarAnswer.data,
  'helpbar.search': helpbarSearch.data,
  'helpbar.item.action': helpbarItemAction.data,
  'helpbar.item.error': helpbarItemError.data,
  'tour.started': tourStarted.data,
  'tour.completed': tourCompleted.data,
  'tour.exited': tourExited.data,
  'tour.snoozed': tourSnoozed.data,
  'tour.button.clicked': tourButtonClicked.data,
  'survey.started': surveyStarted.data,
  'survey.completed': surveyCompleted.data,
  'survey.exited': surveyExited.data,
  'survey.snoozed': surveySnoozed.data,
  'survey.button.clicked': surveyButtonClicked.data,
  'embed.started': embedStarted.data,
  'embed.completed': embedCompleted.data,
  'embed.exited': embedExited.data,
  'embed.snoozed': embedSnoozed.data,
  'embed.button.clicked': embedButtonClicked.data,
  'demo.started': demoStarted.data,
  'demo.reveal': demoReveal.data,
  'demo.form.submitted': demoFormSubmitted.data,
} satisfies Omit<{ [T in Topic]: TopicPayloads[T] }, 'demo.finished'>;

const DEMO_FINISHED = {
  ...demoFinished.data,
  demo_run: { ...demoFinished.data.demo_run, finished_kind: 'last_step' },
} satisfies DemoFinishedData;

describe('topic types', () => {
  it('should accept every seed example as its topic\'s data type', () => {
    expectTypeOf(EXAMPLES['tour.started']).toExtend<TopicPayloads['tour.started']>();
    expectTypeOf(DEMO_FINISHED).toExtend<TopicPayloads['demo.finished']>();
    expectTypeOf(tourStarted.data).toExtend<TourStartedData>();
  });

  it('should map each topic to its own data interface', () => {
    expectTypeOf<TopicPayloads['tour.started']>().toEqualTypeOf<TourStartedData>();
    expectTypeOf<keyof TopicPayloads>().toEqualTypeOf<Topic>();
    expectTypeOf<TopicPayloads['demo.finished']['demo_run']['finished_kind']>().toEqualTypeOf<FinishedKind>();
    expectTypeOf<FinishedKind>().toEqualTypeOf<'last_step' | 'timeout_30m'>();
    expectTypeOf<NonNullable<TopicPayloads['tour.exited']['action']>['group_kind']>().toEqualTypeOf<GroupKind | undefined>();
    expectTypeOf<TopicPayloads['demo.started']['profile']>().toExtend<object | null>();
    expectTypeOf<null>().toExtend<TopicPayloads['demo.started']['profile']>();
  });

  it('should reject data that lacks a promised model', () => {
    const { tour: _tour, ...withoutTour } = tourStarted.data;
    expectTypeOf(withoutTour).not.toExtend<TourStartedData>();
    // @ts-expect-error a snooze needs deferred_until, deferred_hours and deferred_count
    const _snooze: TopicPayloads['tour.snoozed'] = { ...tourSnoozed.data, action: { id: tourSnoozed.data.action.id } };
  });

  it('should narrow unknown data once validated', () => {
    const data: unknown = structuredClone(tourStarted.data);
    validateTopicData('tour.started', data);
    expectTypeOf(data).toEqualTypeOf<TourStartedData>();
    const other: unknown = structuredClone(demoFinished.data);
    validateTopicData<'demo.finished'>(String('demo.finished'), other);
    expectTypeOf(other.demo_run.finished_kind).toEqualTypeOf<FinishedKind>();
  });
});
