/**
 * The factory: `chameleonHooks(options)` parses the options, builds the router at once, and
 * connects lazily (`ready()`, or the first request). The result is an Express router with
 * the package's methods attached.
 */
import type { Router } from 'express';
import { parseOptions, type Config, type Options } from './options.js';
import { ChameleonError } from './errors.js';
import { createRouter } from './http/router.js';
import { startRuntime, stopRuntime, type Runtime } from './runtime.js';
import type { CreatedAccount } from './accounts/account-store.js';
import type { RouteContext } from './http/route-context.js';

/** What `chameleonHooks()` returns: an Express router (mount it with `app.use`) plus methods. */
export interface ChameleonHooks extends Router {
  /** Connects, creates indexes and starts background work. Idempotent. */
  ready(): Promise<void>;
  /** Stops taking work, drains what is in flight, writes pending bookkeeping, closes what it opened. */
  close(): Promise<void>;
  /** Account helpers for accounts stored in MongoDB. */
  accounts: {
    /** Creates an account; its secrets are returned this once. */
    create(input: { name: string }): Promise<CreatedAccount>;
    /** Rotates an account's webhook secret; the old one stays valid for `graceMs`. */
    rotateWebhookSecret(accountId: string, graceMs?: number): Promise<string>;
  };
  /** The frozen configuration in force. */
  readonly config: Config;
}

/**
 * Creates the webhook pipeline.
 * @throws InvalidOptionError naming the first bad option.
 * @example
 * const hooks = chameleonHooks({ mongo: { uri: process.env.MONGODB_URI!, dbName: 'app' } });
 * app.use('/chameleon', hooks);
 * await hooks.ready();
 */
export function chameleonHooks(options: Options): ChameleonHooks {
  const config = parseOptions(options);
  let starting: Promise<Runtime> | undefined;
  let closed = false;

  const runtime = (): Promise<Runtime> => {
    if (closed) return Promise.reject(new ChameleonError('CH_ERR_NOT_READY', 'chameleon-hooks is closed'));
    starting ??= startRuntime(config).catch((error: unknown) => {
      starting = undefined; // let a later call retry, e.g. once the database is up
      throw error;
    });
    return starting;
  };

  const ctx: RouteContext = {
    config,
    accounts: async () => (await runtime()).accounts,
    ingest: async () => (await runtime()).ingest,
    store: async () => {
      const r = await runtime();
      return { collections: r.collections, bookkeeper: r.bookkeeper };
    },
  };
  const router = createRouter(ctx) as ChameleonHooks;

  return Object.assign(router, {
    config,
    async ready(): Promise<void> {
      await runtime();
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const current = starting;
      starting = undefined;
      if (current) await stopRuntime(await current.catch(() => undefined as never)).catch(() => undefined);
    },
    accounts: {
      create: async (input: { name: string }) => (await runtime()).accounts.create(input),
      rotateWebhookSecret: async (accountId: string, graceMs?: number) => (await runtime()).accounts.rotateWebhookSecret(accountId, graceMs),
    },
  });
}
