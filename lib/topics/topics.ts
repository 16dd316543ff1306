// The 26 outgoing webhook topics, in the order SPEC section 5 lists them, and a guard for them.

/** Every outgoing webhook topic, in the order SPEC section 5 lists them. */
export const TOPICS = [
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
] as const;

/** One outgoing webhook topic, e.g. `tour.started`. */
export type Topic = (typeof TOPICS)[number];

const TOPIC_SET: ReadonlySet<string> = new Set<string>(TOPICS);

/**
 * Whether `x` is one of {@link TOPICS}.
 *
 * @example
 * isTopic('tour.started'); // true
 * isTopic('tour.deleted'); // false
 */
export function isTopic(x: unknown): x is Topic {
  return typeof x === 'string' && TOPIC_SET.has(x);
}
