/**
 * The sweep (a timer in every host process): writes the deliveries a crash left out of a
 * webhook's fan-out (see `fanout-check.ts`), and disables destinations that have failed
 * continuously for too long. It creates no jobs: due deliveries, recovered ones included, are
 * the due drain's (`due-drainer.ts`).
 */
import type { DestinationRegistry } from '../destinations/registry.js';
import type { Logger } from '../../logger.js';
import type { FanoutCheck } from './fanout-check.js';
import { formatDuration } from './format-duration.js';

/** What the sweep needs. */
export interface SweepDeps {
  fanoutCheck: FanoutCheck;
  destinations: DestinationRegistry;
  autoDisableAfterMs: number;
  logger: Logger;
}

/** One sweep run; returns how many deliveries it wrote from interrupted fan-outs (now due). */
export async function sweepOnce(deps: SweepDeps, now = new Date()): Promise<number> {
  const written = await deps.fanoutCheck.run(now);
  if (written > 0) deps.logger.info({ count: written }, 'chameleon-hooks: wrote deliveries whose first attempt a stop interrupted');
  const cutoff = new Date(now.getTime() - deps.autoDisableAfterMs);
  const reason = `Failed continuously for ${formatDuration(deps.autoDisableAfterMs)}`;
  for (const source of deps.destinations.allSources()) {
    const disabled = (await source.disableFailingSince?.(cutoff, reason)) ?? [];
    if (disabled.length > 0) deps.logger.warn({ kind: source.kind, destinations: disabled.map((id) => id.toHexString()) }, 'chameleon-hooks: disabled failing destinations');
  }
  return written;
}
