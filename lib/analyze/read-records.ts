/**
 * Reading back what was stored: profiles and companies by id, uid or email, and a profile's
 * events newest first.
 */
import { ObjectId } from 'mongodb';
import { ChameleonError } from '../errors.js';
import { emailKey, uidKey } from '../store/collections.js';
import { companyJson, eventJson, profileJson } from '../store/documents.js';
import { nextCursor, parsePage } from '../http/pagination.js';
import type { RecordDoc } from '../store/records-repo.js';
import type { IngestDeps } from '../ingest/deps.js';

function objectId(value: unknown, what: string): ObjectId {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{24}$/.test(value)) throw new ChameleonError('CH_ERR_NOT_FOUND', `No ${what} with id ${String(value)}`);
  return new ObjectId(value);
}

function lookupFilter(account: string, query: Record<string, unknown>, withEmail: boolean, what: string): Record<string, unknown> {
  if (typeof query.id === 'string') return { _id: objectId(query.id, what), account };
  if (typeof query.uid === 'string' && query.uid.length > 0) return { uid_key: uidKey(account, query.uid.trim()) };
  if (withEmail && typeof query.email === 'string' && query.email.length > 0) return { email_key: emailKey(account, query.email) };
  throw new ChameleonError('CH_ERR_UNPROCESSABLE', withEmail ? 'Pass one of `id`, `uid` or `email`' : 'Pass one of `id` or `uid`');
}

function found(doc: RecordDoc | null, account: string, what: string): RecordDoc {
  if (!doc || doc.account !== account) throw new ChameleonError('CH_ERR_NOT_FOUND', `No such ${what}`);
  return doc;
}

/** `{profile}` by stored id. */
export async function readProfileById(account: string, id: string, deps: IngestDeps) {
  return { profile: profileJson(found(await deps.profiles.findById(account, objectId(id, 'profile')), account, 'profile')) };
}

/** `{profile}` by `id`, `uid` or `email` query parameter. */
export async function readProfileBy(account: string, query: Record<string, unknown>, deps: IngestDeps) {
  return { profile: profileJson(found(await deps.profiles.findOne(lookupFilter(account, query, true, 'profile')), account, 'profile')) };
}

/** `{company}` by stored id. */
export async function readCompanyById(account: string, id: string, deps: IngestDeps) {
  return { company: companyJson(found(await deps.companies.findById(account, objectId(id, 'company')), account, 'company')) };
}

/** `{company}` by `id` or `uid` query parameter. */
export async function readCompanyBy(account: string, query: Record<string, unknown>, deps: IngestDeps) {
  return { company: companyJson(found(await deps.companies.findOne(lookupFilter(account, query, false, 'company')), account, 'company')) };
}

/** `{events, cursor}` of one profile, newest first. */
export async function readProfileEvents(account: string, id: string, query: Record<string, unknown>, deps: IngestDeps) {
  const profileId = objectId(id, 'profile');
  const page = parsePage(query, 'created_at');
  const docs = await deps.events.byProfile(account, profileId, page.filter, page.limit);
  return { events: docs.map(eventJson), cursor: { limit: page.limit, before: nextCursor(docs, page.limit, 'created_at') } };
}
