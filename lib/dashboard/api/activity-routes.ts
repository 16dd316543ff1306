/**
 * Activity: recent incoming profiles, companies and events, and recent published webhooks,
 * newest first, with `before` cursors.
 */
import type { Router } from 'express';
import type { Document } from 'mongodb';
import { ChameleonError } from '../../errors.js';
import { asyncHandler } from '../../http/async-handler.js';
import { nextCursor, parsePage } from '../../http/pagination.js';
import { ACTIVITY_KINDS, ActivityRepo, type ActivityKind } from '../../store/activity-repo.js';
import { companyJson, eventJson, profileJson, toJsonValue, type EventDoc } from '../../store/documents.js';
import type { RecordDoc } from '../../store/records-repo.js';
import { accessOf } from '../access.js';
import type { DashboardDeps } from '../deps.js';
import { iso } from './params.js';

function webhookJson(doc: Document): Record<string, unknown> {
  return {
    id: doc._id.toHexString(),
    kind: doc.topic,
    deliveries: Array.isArray(doc.fanout) ? doc.fanout.length : null,
    data: toJsonValue(doc.data ?? {}),
    created_at: iso(doc.created_at),
  };
}

const MAPPERS: Record<ActivityKind, (doc: Document) => Record<string, unknown>> = {
  profiles: (d) => profileJson(d as RecordDoc),
  companies: (d) => companyJson(d as RecordDoc),
  events: (d) => eventJson(d as EventDoc),
  webhooks: webhookJson,
};

/** Adds `GET activity/:kind` (profiles, companies, events, webhooks). */
export function mountActivityRoutes(api: Router, deps: DashboardDeps): void {
  api.get('/activity/:kind', asyncHandler(async (req, res) => {
    const kind = String(req.params.kind);
    if (!Object.hasOwn(ACTIVITY_KINDS, kind)) throw new ChameleonError('CH_ERR_NOT_FOUND', '`kind` must be one of profiles, companies, events or webhooks');
    const { timeField } = ACTIVITY_KINDS[kind as ActivityKind];
    const page = parsePage(req.query as Record<string, unknown>, timeField, deps.dashboard.pageSize);
    const { collections } = await deps.ctx.store();
    const docs = await new ActivityRepo(collections).recent(accessOf(res).account.id, kind as ActivityKind, page);
    res.json({ kind, items: docs.map(MAPPERS[kind as ActivityKind]), next: nextCursor(docs as Array<{ _id: never } & Document>, page.limit, timeField) });
  }));
}
