/**
 * Overview: deliveries per hour (24 h) and per day (7 days) by outcome, the pending backlog and
 * its oldest item, ingest counts for the last 24 hours, and every destination with its state and
 * last item. The charts count attempt outcomes by the hour they happened in (a delivery that
 * failed once and then succeeded counts once as retrying, then once as succeeded).
 */
import type { Router } from 'express';
import { asyncHandler } from '../../http/async-handler.js';
import { ActivityRepo } from '../../store/activity-repo.js';
import { accessOf } from '../access.js';
import type { DashboardDeps } from '../deps.js';
import { listDestinations } from './destinations.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

interface Bucket {
  start: string;
  succeeded: number;
  retrying: number;
  failed: number;
}

/** `count` buckets of `size` ms ending with the one holding `now`, filled from hourly counts. */
function buckets(hourly: Map<number, Omit<Bucket, 'start'>>, now: number, size: number, count: number): Bucket[] {
  const last = Math.floor(now / size) * size;
  const out: Bucket[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const start = last - i * size;
    const b = { start: new Date(start).toISOString(), succeeded: 0, retrying: 0, failed: 0 };
    for (let h = start; h < start + size; h += HOUR_MS) {
      const c = hourly.get(h);
      if (c) {
        b.succeeded += c.succeeded;
        b.retrying += c.retrying;
        b.failed += c.failed;
      }
    }
    out.push(b);
  }
  return out;
}

/** Adds `GET overview`. */
export function mountOverviewRoutes(api: Router, deps: DashboardDeps): void {
  api.get('/overview', asyncHandler(async (_req, res) => {
    const account = accessOf(res).account.id;
    const now = Date.now();
    const engine = await deps.delivery();
    const { collections } = await deps.ctx.store();
    const activity = new ActivityRepo(collections);
    const dayAgo = new Date(now - DAY_MS);
    const [hourly, pending, profiles, companies, events, destinations] = await Promise.all([
      engine.stats.hourly(account, new Date(Math.floor(now / DAY_MS) * DAY_MS - 6 * DAY_MS), new Date(now)),
      engine.deliveries.pendingSummary(account),
      activity.countSince(account, 'profiles', dayAgo),
      activity.countSince(account, 'companies', dayAgo),
      activity.countSince(account, 'events', dayAgo),
      listDestinations(deps, account),
    ]);
    const byHour = new Map(hourly.map((h) => [h.hour.getTime(), h]));
    res.json({
      hourly: buckets(byHour, now, HOUR_MS, 24),
      daily: buckets(byHour, now, DAY_MS, 7),
      pending: { count: pending.count, oldest_at: pending.oldest?.toISOString() ?? null },
      ingest: { profiles, companies, events },
      destinations,
    });
  }));
}
