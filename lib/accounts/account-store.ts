/**
 * Accounts: static ones from the options, or stored ones in MongoDB. Resolves an account
 * secret to its account (by hash, with a short in-process cache so the hot path stays at
 * one database round trip), creates accounts and rotates webhook secrets.
 */
import { ObjectId } from 'mongodb';
import type { Collections } from '../store/collections.js';
import type { StaticAccount } from '../options.js';
import { ChameleonError } from '../errors.js';
import { generateSecret, hashSecret } from './secrets.js';
import { TtlCache } from '../store/ttl-cache.js';

/** An account as the package uses it. Secrets other than the webhook secrets are never exposed. */
export interface Account {
  id: string;
  name: string;
  /** The account's web domain, when known (sent in `ping`). */
  domain?: string;
  /** The newest webhook secret: it signs once every earlier secret's grace period is over. */
  webhookSecret: string;
  /**
   * Earlier webhook secrets still inside their grace period, oldest first: each keeps signing
   * until its `until`, so receivers have that long to add the newer one.
   */
  previousWebhookSecrets: Array<{ secret: string; until: Date }>;
}

/**
 * The secret that signs an attempt made at `now`: the oldest earlier secret whose grace
 * period is not over, else the newest. (The wire format carries one signature, so a rotation
 * takes effect when the grace period ends, not before: receivers never see a signature they
 * cannot check yet.)
 *
 * @example
 * signingSecret({ webhookSecret: 'new', previousWebhookSecrets: [{ secret: 'old', until: tomorrow }] }, now) // 'old'
 */
export function signingSecret(account: Pick<Account, 'webhookSecret' | 'previousWebhookSecrets'>, now: Date): string {
  return account.previousWebhookSecrets.find((p) => p.until > now)?.secret ?? account.webhookSecret;
}

/**
 * Every webhook secret that signs at `now` in a scheme that carries a list (Standard Webhooks): the
 * earlier secrets still inside their grace period, oldest first, then the current one.
 *
 * @example
 * signingSecrets({ webhookSecret: 'new', previousWebhookSecrets: [{ secret: 'old', until: tomorrow }] }, now) // ['old', 'new']
 */
export function signingSecrets(account: Pick<Account, 'webhookSecret' | 'previousWebhookSecrets'>, now: Date): string[] {
  return [...account.previousWebhookSecrets.filter((p) => p.until > now).map((p) => p.secret), account.webhookSecret];
}

/** What `accounts.create()` returns: the only time the account secret is visible. */
export interface CreatedAccount {
  id: string;
  name: string;
  secret: string;
  webhookSecret: string;
}

interface AccountDoc {
  _id: string;
  name: string;
  domain?: string;
  secret_hash: string;
  webhook_secret: string;
  previous_webhook_secrets: Array<{ secret: string; expires_at: Date }>;
  created_at: Date;
}

const CACHE_TTL_MS = 30_000;

/** Finds, creates and caches accounts. */
export class AccountStore {
  private readonly staticByHash = new Map<string, Account>();
  private readonly staticById = new Map<string, Account>();
  private readonly bySecretHash = new TtlCache<string, Account>(CACHE_TTL_MS);
  private readonly byId = new TtlCache<string, Account>(CACHE_TTL_MS);

  constructor(
    private readonly collections: Collections,
    staticAccounts: readonly StaticAccount[],
  ) {
    for (const a of staticAccounts) {
      const account: Account = { id: a.id, name: a.name ?? a.id, ...(a.domain !== undefined ? { domain: a.domain } : {}), webhookSecret: a.webhookSecret, previousWebhookSecrets: [] };
      this.staticByHash.set(hashSecret(a.secret), account);
      this.staticById.set(a.id, account);
    }
  }

  /** Whether accounts come from the options rather than MongoDB. */
  get isStatic(): boolean {
    return this.staticById.size > 0;
  }

  /**
   * The account a secret belongs to when that is known without a database read: `{ account }`
   * (with `account` `undefined` for a secret that belongs to no static account), or `undefined`
   * when only `findBySecret` can tell. Lets authentication answer synchronously on the hot path.
   */
  knownBySecret(secret: string): { account: Account | undefined } | undefined {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 512) return { account: undefined };
    const hash = hashSecret(secret);
    const fromStatic = this.staticByHash.get(hash);
    if (fromStatic || this.isStatic) return { account: fromStatic };
    const cached = this.bySecretHash.peek(hash);
    return cached ? { account: cached } : undefined;
  }

  /** The account a secret belongs to, or `undefined`. */
  async findBySecret(secret: string): Promise<Account | undefined> {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 512) return undefined;
    const hash = hashSecret(secret);
    const fromStatic = this.staticByHash.get(hash);
    if (fromStatic || this.isStatic) return fromStatic;
    return this.bySecretHash.getOrLoad(hash, async () => {
      const doc = await this.docs().findOne({ secret_hash: hash });
      return doc ? toAccount(doc) : undefined;
    });
  }

  /** The account with this id, or `undefined` (cached briefly: every attempt needs it). */
  async findById(id: string): Promise<Account | undefined> {
    if (this.isStatic) return this.staticById.get(id);
    return this.byId.getOrLoad(id, async () => {
      const doc = await this.docs().findOne({ _id: id });
      return doc ? toAccount(doc) : undefined;
    });
  }

  /** Up to `limit` accounts, by id (static ones, or stored ones): for an operator's account switcher. */
  async list(limit = 200): Promise<Array<{ id: string; name: string }>> {
    if (this.isStatic) return [...this.staticById.values()].slice(0, limit).map((a) => ({ id: a.id, name: a.name }));
    const docs = await this.docs().find({}, { projection: { _id: 1, name: 1 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => ({ id: d._id, name: d.name }));
  }

  /** Creates a stored account and returns its secrets, which are shown this once. */
  async create(input: { name: string; domain?: string }): Promise<CreatedAccount> {
    if (this.isStatic) throw new ChameleonError('CH_ERR_UNPROCESSABLE', 'Accounts are static (given in options); they cannot be created at run time');
    if (typeof input?.name !== 'string' || input.name.trim().length === 0 || input.name.length > 200) {
      throw new ChameleonError('CH_ERR_UNPROCESSABLE', 'An account needs a name of 1–200 characters');
    }
    if (input.domain !== undefined && (typeof input.domain !== 'string' || input.domain.trim().length === 0 || input.domain.length > 253)) {
      throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`domain` must be a domain name of 1–253 characters');
    }
    const secret = generateSecret('acct');
    const webhookSecret = generateSecret('whsec');
    const id = new ObjectId().toHexString();
    await this.docs().insertOne({
      _id: id,
      name: input.name.trim(),
      ...(input.domain !== undefined ? { domain: input.domain.trim() } : {}),
      secret_hash: hashSecret(secret),
      webhook_secret: webhookSecret,
      previous_webhook_secrets: [],
      created_at: new Date(),
    });
    return { id, name: input.name.trim(), secret, webhookSecret };
  }

  /**
   * Makes a new webhook secret and returns it. The current one keeps signing for `graceMs`
   * (a day by default) so receivers can add the new one first (`verifyChameleonWebhook({
   * secret: [current, next] })`); then the new one signs. `graceMs: 0` switches at once (a
   * leaked secret).
   */
  async rotateWebhookSecret(accountId: string, graceMs = 24 * 60 * 60 * 1000): Promise<string> {
    if (this.isStatic) throw new ChameleonError('CH_ERR_UNPROCESSABLE', 'Static accounts rotate their secrets in the options');
    const doc = await this.docs().findOne({ _id: accountId });
    if (!doc) throw new ChameleonError('CH_ERR_NOT_FOUND', 'No such account');
    const now = Date.now();
    const webhookSecret = generateSecret('whsec');
    if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > 30 * 24 * 60 * 60 * 1000) {
      throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`graceMs` must be an integer from 0 to 30 days in ms');
    }
    // Oldest first: each earlier secret signs until its grace period ends, then the next one does.
    const previous = [...doc.previous_webhook_secrets, { secret: doc.webhook_secret, expires_at: new Date(now + graceMs) }]
      .filter((p) => p.expires_at.getTime() > now)
      .slice(-10);
    await this.docs().updateOne({ _id: accountId }, { $set: { webhook_secret: webhookSecret, previous_webhook_secrets: previous } });
    this.bySecretHash.clear();
    this.byId.clear();
    return webhookSecret;
  }

  private docs() {
    return this.collections.get<AccountDoc>('accounts');
  }
}

function toAccount(doc: AccountDoc): Account {
  return {
    id: doc._id,
    name: doc.name,
    ...(doc.domain !== undefined ? { domain: doc.domain } : {}),
    webhookSecret: doc.webhook_secret,
    previousWebhookSecrets: (doc.previous_webhook_secrets ?? []).map((p) => ({ secret: p.secret, until: p.expires_at })),
  };
}
