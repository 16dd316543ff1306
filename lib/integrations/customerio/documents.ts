/**
 * The stored Customer.io integration (one per account) and its API view, which never shows a
 * secret: `api_key` and `webhook_signing_key` are masked once stored.
 */
import type { ObjectId } from 'mongodb';
import { isSealed, type StoredSecret } from '../secret-box.js';
import type { Identifier, Region } from './config.js';

/** One account's Customer.io integration, as stored in the `integrations` collection. */
export interface CustomerioDoc {
  _id: ObjectId;
  /** `account|customerio`: one integration of a kind per account (unique). */
  key: string;
  account: string;
  kind: 'customerio';
  site_id: string;
  api_key: StoredSecret;
  region: Region;
  track_url: string | null;
  step_seen: boolean;
  previews: boolean;
  events: Record<string, string>;
  identifier: Identifier;
  webhook_signing_key: StoredSecret | null;
  rate_limit: number;
  last_item_at: Date | null;
  last_item_state: 'valid' | 'error' | null;
  last_item_error: string | null;
  created_at: Date;
  updated_at: Date;
}

/** What a masked secret reads as in the API. */
export const MASKED = '********';

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** The integration as the API shows it: secrets masked, whether they are encrypted at rest. */
export function customerioJson(doc: CustomerioDoc): Record<string, unknown> {
  return {
    id: doc._id.toHexString(),
    kind: 'customerio',
    site_id: doc.site_id,
    api_key: MASKED,
    region: doc.region,
    track_url: doc.track_url,
    step_seen: doc.step_seen,
    previews: doc.previews,
    events: doc.events,
    identifier: doc.identifier,
    webhook_signing_key: doc.webhook_signing_key ? MASKED : null,
    rate_limit: doc.rate_limit,
    secrets_encrypted: isSealed(doc.api_key),
    last_item_at: iso(doc.last_item_at),
    last_item_state: doc.last_item_state,
    last_item_error: doc.last_item_error,
    created_at: iso(doc.created_at),
    updated_at: iso(doc.updated_at),
  };
}
