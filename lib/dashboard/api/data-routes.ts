/**
 * Data management: properties with their types and sample values, data warnings with counts
 * and examples, and the event-name catalogue; each list a page at a time.
 */
import type { Router } from 'express';
import { ChameleonError } from '../../errors.js';
import { asyncHandler } from '../../http/async-handler.js';
import { CatalogueRepo } from '../../catalogue/catalogue-repo.js';
import type { ModelKind } from '../../catalogue/bookkeeper.js';
import { accessOf } from '../access.js';
import type { DashboardDeps } from '../deps.js';
import { iso, pageSize, stringParam } from './params.js';

const KINDS: ReadonlySet<string> = new Set(['profile', 'company', 'event']);

function kindOf(query: Record<string, unknown>): ModelKind {
  const kind = query.kind ?? 'profile';
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`kind` must be one of profile, company or event');
  return kind as ModelKind;
}

/** Adds `GET properties`, `GET warnings` and `GET event-names`. */
export function mountDataRoutes(api: Router, deps: DashboardDeps): void {
  const repo = async () => {
    const { collections, bookkeeper } = await deps.ctx.store();
    await bookkeeper.flush(); // what was just ingested shows at once
    return new CatalogueRepo(collections);
  };

  api.get('/properties', asyncHandler(async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const kind = kindOf(query);
    const page = await (await repo()).properties(accessOf(res).account.id, kind, stringParam(query, 'after'), pageSize(query, deps));
    res.json({
      kind,
      properties: page.items.map((p) => ({
        prop: p.prop,
        types: p.types ?? [],
        values: p.values ?? [],
        count: p.count ?? 0,
        first_seen_at: iso(p.first_seen_at),
        last_seen_at: iso(p.last_seen_at),
      })),
      next: page.next,
    });
  }));

  api.get('/warnings', asyncHandler(async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const kind = kindOf(query);
    const page = await (await repo()).warnings(accessOf(res).account.id, kind, stringParam(query, 'after'), pageSize(query, deps));
    res.json({
      kind,
      warnings: page.items.map((w) => ({
        prop: w.prop,
        reason: w.reason,
        count: w.count ?? 0,
        example: w.example ?? null,
        first_seen_at: iso(w.first_seen_at),
        last_seen_at: iso(w.last_seen_at),
      })),
      next: page.next,
    });
  }));

  api.get('/event-names', asyncHandler(async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const page = await (await repo()).eventNames(accessOf(res).account.id, stringParam(query, 'after'), pageSize(query, deps));
    res.json({
      event_names: page.items.map((e) => ({
        uid: e.uid,
        name: e.name,
        count: e.count ?? 0,
        first_seen_at: iso(e.first_seen_at),
        last_seen_at: iso(e.last_seen_at),
      })),
      next: page.next,
    });
  }));
}
