/**
 * The Customer.io integrations repository: the only module that touches the `integrations`
 * collection. Sets (upsert, secrets sealed), reads (a short per-account cache, so `publish`
 * costs no query on the hot path), deletes, opens the secrets for sending, and records the
 * integration's last outcome (coalesced: written when it changes, or at most once a second).
 */
import { ObjectId, type Collection } from 'mongodb';
import { ChameleonError } from '../../errors.js';
import { TtlCache } from '../../store/ttl-cache.js';
import { openSecret, sealSecret } from '../secret-box.js';
import { trackBaseUrl, type CustomerioSettings, type Identifier } from './config.js';
import type { CustomerioDoc } from './documents.js';

const CACHE_TTL_MS = 1000;
/** A `valid` outcome is written again at most this often (an `error`, or a change, at once). */
const STATE_WRITE_INTERVAL_MS = 1000;

/** An integration ready to send: secrets in clear, the Track API base URL resolved. */
export interface OpenIntegration {
  id: ObjectId;
  account: string;
  siteId: string;
  apiKey: string;
  baseUrl: string;
  identifier: Identifier;
  rateLimit: number;
  doc: CustomerioDoc;
}

/** The key of an account's integration. */
function keyOf(account: string): string {
  return `${account}|customerio`;
}

/** The additional authenticated data a secret is sealed with. */
function secretContext(account: string, field: 'api_key' | 'webhook_signing_key'): string {
  return `${account}|customerio|${field}`;
}

/** Reads and writes Customer.io integrations. */
export class CustomerioRepo {
  private readonly cache = new TtlCache<string, { doc: CustomerioDoc | null }>(CACHE_TTL_MS);
  private readonly lastState = new Map<string, { state: 'valid' | 'error'; error: string | null; writtenAt: number }>();
  private readonly writes = new Map<string, Promise<void>>();
  /** Signing keys opened from a cached document: decrypted once per read of the integration, not once per webhook. */
  private readonly openedSigningKeys = new WeakMap<CustomerioDoc, string | null>();

  constructor(
    private readonly collection: Collection<CustomerioDoc>,
    private readonly secretsKey: Buffer | undefined,
  ) {}

  /**
   * Creates or replaces an account's integration. `api_key` or `webhook_signing_key` left out
   * keeps the stored one; `webhook_signing_key: null` removes it.
   * @throws ChameleonError `422` (`api_key`) when there is no stored key to keep.
   */
  async set(account: string, settings: CustomerioSettings, now = new Date()): Promise<CustomerioDoc> {
    const existing = await this.collection.findOne({ key: keyOf(account) });
    if (settings.api_key === undefined && !existing) {
      throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`api_key` is required: the Track API key of the workspace', { field: 'api_key' });
    }
    const apiKey = settings.api_key === undefined ? existing!.api_key : sealSecret(settings.api_key, this.secretsKey, secretContext(account, 'api_key'));
    const signingKey =
      settings.webhook_signing_key === undefined
        ? (existing?.webhook_signing_key ?? null)
        : settings.webhook_signing_key === null
          ? null
          : sealSecret(settings.webhook_signing_key, this.secretsKey, secretContext(account, 'webhook_signing_key'));
    const credentialsChanged = !existing || settings.api_key !== undefined || settings.site_id !== existing.site_id;
    const fields = {
      site_id: settings.site_id,
      api_key: apiKey,
      region: settings.region,
      track_url: settings.track_url,
      step_seen: settings.step_seen,
      previews: settings.previews,
      events: settings.events,
      identifier: settings.identifier,
      webhook_signing_key: signingKey,
      rate_limit: settings.rate_limit,
      updated_at: now,
      // New credentials deserve a fresh verdict: "credentials rejected" no longer applies.
      ...(credentialsChanged ? { last_item_state: null, last_item_error: null } : {}),
    };
    const doc = await this.collection.findOneAndUpdate(
      { key: keyOf(account) },
      {
        $set: fields,
        $setOnInsert: { _id: new ObjectId(), key: keyOf(account), account, kind: 'customerio' as const, created_at: now, last_item_at: null },
      },
      { upsert: true, returnDocument: 'after' },
    );
    this.forget(account);
    this.lastState.delete(doc!._id.toHexString());
    return doc!;
  }

  /** An account's integration, or `null` (cached for a second). */
  async get(account: string): Promise<CustomerioDoc | null> {
    const hit = await this.cache.getOrLoad(account, async () => ({ doc: await this.collection.findOne({ key: keyOf(account) }) }));
    return hit?.doc ?? null;
  }

  /** An integration by id, or `null`. */
  byId(id: ObjectId): Promise<CustomerioDoc | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Removes an account's integration; `null` when it had none. */
  async delete(account: string): Promise<CustomerioDoc | null> {
    const doc = await this.collection.findOneAndDelete({ key: keyOf(account) });
    this.forget(account);
    return doc ?? null;
  }

  /**
   * The integration with its secrets opened, ready to send.
   * @throws ChameleonError when a sealed secret cannot be opened (no or another `secretsKey`).
   */
  open(doc: CustomerioDoc): OpenIntegration {
    return {
      id: doc._id,
      account: doc.account,
      siteId: doc.site_id,
      apiKey: openSecret(doc.api_key, this.secretsKey, secretContext(doc.account, 'api_key')),
      baseUrl: trackBaseUrl(doc),
      identifier: doc.identifier,
      rateLimit: doc.rate_limit,
      doc,
    };
  }

  /** The reporting-webhook signing key in clear, or `null` when none is set. */
  signingKey(doc: CustomerioDoc): string | null {
    return doc.webhook_signing_key ? openSecret(doc.webhook_signing_key, this.secretsKey, secretContext(doc.account, 'webhook_signing_key')) : null;
  }

  /**
   * An account's reporting-webhook signing key in clear, or `null` when it has no integration or
   * no key. Read through the per-account cache (a `set` or `delete` in this process is seen at
   * once, another process's within a second); the key is decrypted once per cached read.
   * @throws ChameleonError when the sealed key cannot be opened (no or another `secretsKey`).
   */
  async signingKeyOf(account: string): Promise<string | null> {
    const doc = await this.get(account);
    if (!doc) return null;
    let key = this.openedSigningKeys.get(doc);
    if (key === undefined) {
      key = this.signingKey(doc);
      this.openedSigningKeys.set(doc, key);
    }
    return key;
  }

  /**
   * Records the outcome of a send on the integration (`last_item_*`), so a person sees it.
   * Coalesced: written when the state or error changes, else at most once a second. Writes of
   * one integration are applied in order (a "credentials rejected" is never overwritten by an
   * older outcome landing late).
   */
  recordOutcome(id: ObjectId, state: 'valid' | 'error', error: string | null, at = new Date()): Promise<void> {
    const key = id.toHexString();
    const last = this.lastState.get(key);
    if (last && last.state === state && last.error === error && at.getTime() - last.writtenAt < STATE_WRITE_INTERVAL_MS) return Promise.resolve();
    if (this.lastState.size > 10_000) this.lastState.clear();
    this.lastState.set(key, { state, error, writtenAt: at.getTime() });
    const write = (this.writes.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.collection.updateOne({ _id: id }, { $set: { last_item_at: at, last_item_state: state, last_item_error: error } }))
      .then(() => undefined);
    this.writes.set(key, write);
    void write.finally(() => {
      if (this.writes.get(key) === write) this.writes.delete(key);
    }).catch(() => undefined);
    return write;
  }

  /** Resolves once every outcome write started so far has been applied. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
  }

  private forget(account: string): void {
    this.cache.delete(account);
  }
}
