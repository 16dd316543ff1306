/**
 * The one pure function that turns an attempt's outcome into the delivery's next step, for
 * every kind of destination: succeeded, retried at a time from the retry schedule (honouring
 * `Retry-After` within it), failed, or skipped; plus what it means for the destination
 * (disable it, mark it in error, enable it again after a successful ping).
 */
import type { AttemptOutcome } from '../destinations/transport.js';
import type { AttemptTrigger, NextStep } from '../deliveries/documents.js';

export type { NextStep };
import { nextAttemptDelay } from './retry-schedule.js';

/** What an attempt changes on its destination. */
export interface DestinationEffects {
  /** Disable the destination, for this reason. */
  disable?: string;
  /** Enable the destination again (a ping that succeeded on a disabled one). */
  enable?: boolean;
  /** Mark the destination in error with this message. */
  markError?: string;
}

/** The retry policy in force. */
export interface RetryPolicy {
  retrySchedule: readonly number[];
  jitter: number;
  /** Uniform numbers in [0, 1), for the jitter. @defaultValue `Math.random` */
  random?: () => number;
}

/** The delivery as the decision needs it. */
export interface AttemptProgress {
  /** Attempts counted so far, this one included. */
  attempts: number;
  maxAttempts: number;
  trigger: AttemptTrigger;
  /** Whether the destination was disabled when the attempt was made. */
  destinationDisabled: boolean;
}

/**
 * Decides the next step after one attempt.
 *
 * @example
 * const policy = { retrySchedule: [1000, 2000], jitter: 0 };
 * const progress = { attempts: 1, maxAttempts: 3, trigger: 'publish', destinationDisabled: false } as const;
 * nextStep({ verdict: 'success', durationMs: 5 }, progress, policy, now).step            // { state: 'succeeded' }
 * nextStep({ verdict: 'retry', durationMs: 5 }, progress, policy, now).step              // { state: 'pending', nextAttemptAt: now + 1 s }
 * nextStep({ verdict: 'gone', durationMs: 5, status: 410 }, progress, policy, now)       // failed, effects.disable set
 * nextStep({ verdict: 'retry', durationMs: 5 }, { ...progress, attempts: 3 }, policy, now).step // failed: gave up after 3 attempts
 */
export function nextStep(outcome: AttemptOutcome, progress: AttemptProgress, policy: RetryPolicy, now: Date): { step: NextStep; effects: DestinationEffects } {
  const effects: DestinationEffects = {};
  if (outcome.destinationError) effects.markError = outcome.destinationError;
  switch (outcome.verdict) {
    case 'success':
      if (progress.destinationDisabled && progress.trigger === 'ping') effects.enable = true;
      return { step: { state: 'succeeded' }, effects };
    case 'skip':
      return { step: { state: 'skipped', reason: outcome.error ?? 'Nothing to send' }, effects };
    case 'gone':
      effects.disable = outcome.status === 410 ? '410 Gone' : (outcome.error ?? 'The destination refused further deliveries');
      return { step: { state: 'failed', reason: outcome.status === 410 ? 'The endpoint answered 410 Gone and was disabled' : 'The destination refused further deliveries and was disabled' }, effects };
    case 'final':
      return { step: { state: 'failed', reason: 'Not retried: the answer is final' }, effects };
    case 'retry': {
      const { attempts, maxAttempts } = progress;
      const delay = attempts < maxAttempts ? nextAttemptDelay(policy.retrySchedule, attempts, policy.jitter, outcome.retryAfterMs, policy.random) : undefined;
      if (delay === undefined) return { step: { state: 'failed', reason: `Gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}` }, effects };
      return { step: { state: 'pending', nextAttemptAt: new Date(now.getTime() + delay) }, effects };
    }
  }
}
