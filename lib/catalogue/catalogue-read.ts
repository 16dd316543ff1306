/**
 * Reading the catalogues: properties (with their data warnings) and event names.
 */
import type { Collections } from '../store/collections.js';
import { CatalogueRepo } from './catalogue-repo.js';
import { ChameleonError } from '../errors.js';
import type { Bookkeeper, ModelKind } from './bookkeeper.js';

const KINDS: ReadonlySet<string> = new Set(['profile', 'company', 'event']);

function iso(value: unknown): string | null {
  return value instanceof Date ? value.toISOString() : null;
}

/** `{properties}` of one kind, each with its warnings; pending bookkeeping is flushed first. */
export async function listProperties(collections: Collections, bookkeeper: Bookkeeper, account: string, kind: unknown) {
  const model = (kind ?? 'profile') as ModelKind;
  if (typeof model !== 'string' || !KINDS.has(model)) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`kind` must be one of profile, company or event');
  await bookkeeper.flush();
  const { properties: props, warnings } = await new CatalogueRepo(collections).allProperties(account, model, 5000);
  const byProp = new Map<string, unknown[]>();
  for (const w of warnings) {
    const top = String(w.prop).split('.')[0]!;
    const list = byProp.get(top) ?? [];
    list.push({
      prop: w.prop,
      reason: w.reason,
      count: w.count,
      example: w.example,
      first_seen_at: iso(w.first_seen_at),
      last_seen_at: iso(w.last_seen_at),
    });
    byProp.set(top, list);
  }
  const known = new Set(props.map((p) => String(p.prop)));
  const rows = props.map((p) => ({
    id: p._id.toHexString(),
    kind: p.kind,
    prop: p.prop,
    types: p.types ?? [],
    values: p.values ?? [],
    count: p.count ?? 0,
    first_seen_at: iso(p.first_seen_at),
    last_seen_at: iso(p.last_seen_at),
    warnings: byProp.get(String(p.prop)) ?? [],
  }));
  // Warnings about names that were never stored (reserved or invalid names) still need a row a person can see.
  for (const [prop, list] of byProp) {
    if (!known.has(prop)) rows.push({ id: null as unknown as string, kind: model, prop, types: [], values: [], count: 0, first_seen_at: null, last_seen_at: null, warnings: list });
  }
  return { properties: rows };
}

/** `{event_names}`, most recently seen first; pending bookkeeping is flushed first. */
export async function listEventNames(collections: Collections, bookkeeper: Bookkeeper, account: string) {
  await bookkeeper.flush();
  const docs = await new CatalogueRepo(collections).allEventNames(account, 5000);
  return {
    event_names: docs.map((d) => ({
      id: d._id.toHexString(),
      uid: d.uid,
      name: d.name,
      count: d.count,
      first_seen_at: iso(d.first_seen_at),
      last_seen_at: iso(d.last_seen_at),
    })),
  };
}
