/**
 * The recovery sweep (a timer in every host process): finds pending deliveries that are overdue and
 * unleased — an attempt interrupted by a crash, a retry job that was never created — and gives
 * each a job; and disables destinations that have failed continuously for too long.
 */
import type { ObjectId } from 'mongodb';
import type { DeliveriesRepo } from '../deliveries/deliveries-repo.js';
import type { DestinationRegistry } from '../destinations/registry.js';
import type { Logger } from '../../logger.js';
import { formatDuration } from './format-duration.js';

/** How overdue a delivery must be before the sweep takes it (its own job normally runs first). */
export const OVERDUE_GRACE_MS = 2_000;
/** Deliveries taken per sweep run; a full batch triggers another run at once. */
export const SWEEP_BATCH = 500;

/** What the sweep needs. */
export interface SweepDeps {
  deliveries: DeliveriesRepo;
  destinations: DestinationRegistry;
  /** Creates an attempt job now for a delivery due at `due` (its `next_attempt_at`). */
  enqueue(deliveryId: ObjectId, due: Date): Promise<void>;
  leaseMs: number;
  autoDisableAfterMs: number;
  logger: Logger;
}

/** One sweep run; returns how many deliveries it recovered (so the caller may run again at once). */
export async function sweepOnce(deps: SweepDeps, now = new Date()): Promise<number> {
  const overdue = await deps.deliveries.takeOverdue(now, OVERDUE_GRACE_MS, deps.leaseMs, SWEEP_BATCH);
  for (const doc of overdue) await deps.enqueue(doc._id, doc.next_attempt_at!);
  if (overdue.length > 0) deps.logger.info({ count: overdue.length }, 'chameleon-hooks: recovered overdue deliveries');
  const cutoff = new Date(now.getTime() - deps.autoDisableAfterMs);
  const reason = `Failed continuously for ${formatDuration(deps.autoDisableAfterMs)}`;
  for (const source of deps.destinations.allSources()) {
    const disabled = (await source.disableFailingSince?.(cutoff, reason)) ?? [];
    if (disabled.length > 0) deps.logger.warn({ kind: source.kind, destinations: disabled.map((id) => id.toHexString()) }, 'chameleon-hooks: disabled failing destinations');
  }
  return overdue.length;
}
