// Activity kinds that `publish` accepts besides the 26 webhook topics: forwarded to integrations only, never to webhook endpoints.

/**
 * Activity kinds that are not webhook topics: `publish` validates and stores them, and only
 * integrations that ask for them receive them (Customer.io's `step_seen` and `previews`).
 */
export const ACTIVITY_KINDS = ['tour.step.seen', 'tour.previewed'] as const;

/** One of {@link ACTIVITY_KINDS}. */
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

const KIND_SET: ReadonlySet<string> = new Set<string>(ACTIVITY_KINDS);

/**
 * Whether `x` is one of {@link ACTIVITY_KINDS}.
 *
 * @example
 * isActivityKind('tour.step.seen'); // true
 * isActivityKind('tour.started');   // false: a webhook topic
 */
export function isActivityKind(x: unknown): x is ActivityKind {
  return typeof x === 'string' && KIND_SET.has(x);
}
