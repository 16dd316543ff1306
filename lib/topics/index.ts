// The outgoing webhook topics: their names, their data types and the validator of their data.
export { TOPICS, isTopic, type Topic } from './topics.js';
export { validateTopicData, validatePublishData, topicSchema, type PublishKind, type PublishPayloads } from './registry.js';
export { ACTIVITY_KINDS, isActivityKind, type ActivityKind } from './activities.js';
export type { ActivityPayloads, TourStepSeenData, TourPreviewedData } from './generated/activity-types.js';
export type {
  TopicPayloads,
  PingData,
  ResponseFinishedData,
  AlertTriggeredData,
  HelpbarAnswerData,
  HelpbarSearchData,
  HelpbarItemActionData,
  HelpbarItemErrorData,
  TourStartedData,
  TourCompletedData,
  TourExitedData,
  TourSnoozedData,
  TourButtonClickedData,
  SurveyStartedData,
  SurveyCompletedData,
  SurveyExitedData,
  SurveySnoozedData,
  SurveyButtonClickedData,
  EmbedStartedData,
  EmbedCompletedData,
  EmbedExitedData,
  EmbedSnoozedData,
  EmbedButtonClickedData,
  DemoStartedData,
  DemoRevealData,
  DemoFinishedData,
  DemoFormSubmittedData,
  GroupKind,
  FinishedKind,
} from './generated/topic-types.js';
