/**
 * Stored document types and their mappers to the API's JSON: ids as 24-hex strings,
 * dates as ISO-8601 UTC strings, custom properties flattened next to the fixed fields.
 */
import { ObjectId } from 'mongodb';
import type { RecordDoc } from './records-repo.js';

/** An event as stored. */
export interface EventDoc {
  _id: ObjectId;
  account: string;
  profile_id: ObjectId;
  /** The normalised event name (groups spellings). */
  name: string;
  /** The name as the sender spelled it. */
  display_name: string;
  props: Record<string, unknown>;
  created_at: Date;
}

/** Converts stored values (dates, ids, nested objects) to JSON-safe values. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof ObjectId) return value.toHexString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = toJsonValue((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** A profile as the API shows it. */
export function profileJson(doc: RecordDoc): Record<string, unknown> {
  return {
    ...(toJsonValue(doc.props ?? {}) as Record<string, unknown>),
    id: doc._id.toHexString(),
    uid: doc.uid ?? null,
    email: doc.email ?? null,
    company_id: doc.company_id ? doc.company_id.toHexString() : null,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
  };
}

/** A company as the API shows it. */
export function companyJson(doc: RecordDoc): Record<string, unknown> {
  return {
    ...(toJsonValue(doc.props ?? {}) as Record<string, unknown>),
    id: doc._id.toHexString(),
    uid: doc.uid ?? null,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
  };
}

/** An event as the API shows it. */
export function eventJson(doc: EventDoc): Record<string, unknown> {
  return {
    id: doc._id.toHexString(),
    name: doc.display_name,
    uid: doc.name,
    profile_id: doc.profile_id.toHexString(),
    properties: toJsonValue(doc.props ?? {}),
    created_at: doc.created_at.toISOString(),
  };
}
