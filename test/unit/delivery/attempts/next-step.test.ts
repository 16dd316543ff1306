// Tests of lib/delivery/attempts/next-step.ts: an attempt's outcome becomes the delivery's next step.
import { describe, expect, it } from 'vitest';
import { nextStep, type AttemptProgress } from '../../../../lib/delivery/attempts/next-step.js';
import type { AttemptOutcome } from '../../../../lib/delivery/destinations/transport.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const POLICY = { retrySchedule: [1000, 60_000], jitter: 0 };
const FIRST: AttemptProgress = { attempts: 1, maxAttempts: 3, trigger: 'publish', destinationDisabled: false };
const out = (verdict: AttemptOutcome['verdict'], extra: Partial<AttemptOutcome> = {}): AttemptOutcome => ({ verdict, durationMs: 5, ...extra });

describe('nextStep', () => {
  it('should end a delivery succeeded on success, with no effect on an enabled destination', () => {
    expect(nextStep(out('success', { status: 200 }), FIRST, POLICY, NOW)).toEqual({ step: { state: 'succeeded' }, effects: {} });
  });

  it('should enable a disabled destination again when a ping succeeds, and only a ping', () => {
    expect(nextStep(out('success'), { ...FIRST, trigger: 'ping', destinationDisabled: true }, POLICY, NOW).effects).toEqual({ enable: true });
    expect(nextStep(out('success'), { ...FIRST, trigger: 'manual', destinationDisabled: true }, POLICY, NOW).effects).toEqual({});
  });

  it.each([
    [1, 1000],
    [2, 60_000],
  ])('should retry after attempt %i at the schedule step (%i ms)', (attempts, delay) => {
    const { step } = nextStep(out('retry', { status: 500 }), { ...FIRST, attempts }, POLICY, NOW);
    expect(step).toEqual({ state: 'pending', nextAttemptAt: new Date(NOW.getTime() + delay) });
  });

  it('should honour Retry-After within the schedule, never past the following step', () => {
    expect(nextStep(out('retry', { retryAfterMs: 5000 }), FIRST, POLICY, NOW).step).toEqual({ state: 'pending', nextAttemptAt: new Date(NOW.getTime() + 5000) });
    expect(nextStep(out('retry', { retryAfterMs: 86_400_000 }), FIRST, POLICY, NOW).step).toEqual({ state: 'pending', nextAttemptAt: new Date(NOW.getTime() + 60_000) });
  });

  it('should give up once the attempts are used up', () => {
    expect(nextStep(out('retry'), { ...FIRST, attempts: 3 }, POLICY, NOW).step).toEqual({ state: 'failed', reason: 'Gave up after 3 attempts' });
    expect(nextStep(out('retry'), { ...FIRST, maxAttempts: 1 }, POLICY, NOW).step).toEqual({ state: 'failed', reason: 'Gave up after 1 attempt' });
  });

  it('should fail and disable the destination on 410 Gone', () => {
    const { step, effects } = nextStep(out('gone', { status: 410 }), FIRST, POLICY, NOW);
    expect(step.state).toBe('failed');
    expect(effects).toEqual({ disable: '410 Gone' });
  });

  it('should fail without retry on a final answer, and mark the destination when the transport says so', () => {
    const { step, effects } = nextStep(out('final', { status: 401, destinationError: 'credentials rejected' }), FIRST, POLICY, NOW);
    expect(step).toEqual({ state: 'failed', reason: 'Not retried: the answer is final' });
    expect(effects).toEqual({ markError: 'credentials rejected' });
  });

  it('should end skipped with the transport\'s reason', () => {
    expect(nextStep(out('skip', { error: 'The profile has no uid' }), FIRST, POLICY, NOW).step).toEqual({ state: 'skipped', reason: 'The profile has no uid' });
  });
});
