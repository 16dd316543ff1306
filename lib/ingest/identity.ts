/**
 * Finds how an incoming item identifies its record: by the host's `uid`, (profiles only) by
 * `email`, or by stored `id`. A uid is always a string, so `18821` and `"18821"` match.
 * `id` is a reserved name that partners fill with their own ids (Customer.io sends `"cio_123"`
 * or numbers): it identifies only when it is a 24-hex id and no `uid`/`email` is given, and an
 * `id` not used is reported as a data warning, never an error.
 */
import { ObjectId } from 'mongodb';
import { emailKey, uidKey } from '../store/collections.js';
import { exampleOf, type DataWarning } from '../normalize/index.js';
import type { Identity } from '../store/record-changes.js';

// Defined with the records it finds (the store never imports ingest).
export type { Identity };

/** Keys of a profile item that identify or link it, never stored as custom properties. */
export const PROFILE_KEYS: ReadonlySet<string> = new Set(['id', 'uid', 'email', 'company_id', 'company_uid', 'company', 'account_secret']);

/** Keys of a company item that identify it. */
export const COMPANY_KEYS: ReadonlySet<string> = new Set(['id', 'uid', 'account_secret']);

/** Keys of an event that name it or identify its user; the rest are event properties. */
export const EVENT_KEYS: ReadonlySet<string> = new Set(['name', 'id', 'uid', 'email', 'profile_id', 'user_id', 'account_secret']);

/** Normalised names a profile property may not take: the profile's own fields, and the secret. */
export const PROFILE_FIXED_NAMES: ReadonlySet<string> = new Set(['uid', 'email', 'company_id', 'account_secret']);

/** Normalised names a company property may not take. */
export const COMPANY_FIXED_NAMES: ReadonlySet<string> = new Set(['uid', 'account_secret']);

/** Normalised names an event property may not take. */
export const EVENT_FIXED_NAMES: ReadonlySet<string> = new Set(['account_secret']);

function asUid(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value.trim().length > 0) return value.trim();
  return undefined;
}

function asObjectId(value: unknown): ObjectId | undefined {
  return typeof value === 'string' && /^[0-9a-fA-F]{24}$/.test(value) ? new ObjectId(value) : undefined;
}

/** The identity of a profile item (`uid` > `email` > `id`), or `undefined` when it has none. */
export function profileIdentity(account: string, item: Record<string, unknown>, aliases = false): Identity | undefined {
  const uid = asUid(item.uid) ?? (aliases ? asUid(item.user_id) : undefined);
  if (uid !== undefined) return { by: 'uid', uid, filter: { uid_key: uidKey(account, uid) } };
  const email = typeof item.email === 'string' && item.email.includes('@') ? item.email.trim() : undefined;
  if (email) return { by: 'email', email, filter: { email_key: emailKey(account, email) } };
  const id = asObjectId(item.id) ?? (aliases ? asObjectId(item.profile_id) : undefined);
  if (id) return { by: 'id', id, filter: { _id: id, account } };
  return undefined;
}

/** The identity of a company item (`uid` > `id`), or `undefined`. */
export function companyIdentity(account: string, item: Record<string, unknown>): Identity | undefined {
  const uid = asUid(item.uid);
  if (uid !== undefined) return { by: 'uid', uid, filter: { uid_key: uidKey(account, uid) } };
  const id = asObjectId(item.id);
  if (id) return { by: 'id', id, filter: { _id: id, account } };
  return undefined;
}

/**
 * The data warning for an `id` (or `profile_id`) the item carries but that did not identify
 * its record: a partner's own id (`"cio_123"`, `42`), or an id next to a `uid`/`email`, which
 * take precedence. `undefined` when there is none.
 *
 * @example
 * ignoredIdWarning({ id: 'cio_123', uid: 'u9' }, identity) // { prop: 'id', reason: 'reserved_name', example: 'cio_123' }
 */
export function ignoredIdWarning(item: Record<string, unknown>, identity: Identity | undefined, aliases = false): DataWarning | undefined {
  for (const key of aliases ? (['id', 'profile_id'] as const) : (['id'] as const)) {
    const value = item[key];
    if (value === undefined || value === null) continue;
    if (identity?.by === 'id' && asObjectId(value)?.equals(identity.id)) continue;
    return { prop: key, reason: 'reserved_name', example: exampleOf(value) };
  }
  return undefined;
}

/** The uid of `company_uid` (or of a nested `company.uid`), if any. */
export function linkedCompanyUid(item: Record<string, unknown>): string | undefined {
  const nested = item.company;
  if (typeof nested === 'object' && nested !== null && !Array.isArray(nested)) {
    const uid = asUid((nested as Record<string, unknown>).uid);
    if (uid !== undefined) return uid;
  }
  return asUid(item.company_uid);
}

/**
 * Whether the item unlinks its profile from its company: `company_uid`, `company_id` or
 * `company` is `null`, and no company is named by the others.
 */
export function unlinksCompany(item: Record<string, unknown>): boolean {
  const asked = item.company_uid === null || item.company_id === null || item.company === null;
  return asked && linkedCompanyUid(item) === undefined && linkedCompanyId(item) === undefined;
}

/** The `company_id` of an item, if it is a valid id. */
export function linkedCompanyId(item: Record<string, unknown>): ObjectId | undefined {
  return asObjectId(item.company_id);
}
