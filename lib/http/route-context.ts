/**
 * What every route module needs: the config, the accounts, and lazy access to the
 * runtime services (available once `ready()` has connected).
 */
import type { RequestHandler } from 'express';
import type { Config } from '../options.js';
import type { AccountStore } from '../accounts/account-store.js';
import type { IngestDeps } from '../ingest/deps.js';
import type { Collections } from '../store/collections.js';
import type { Bookkeeper } from '../catalogue/bookkeeper.js';
import type { BatchService } from '../batches/batch-service.js';
import type { ByteBudget } from '../batches/budget.js';

/** Shared by the route modules. */
export interface RouteContext {
  config: Config;
  /** The per-account rate limit (one counter store for every route); mount it after authentication. */
  rateLimit: RequestHandler;
  /** Resolves once the package is ready; the account store. */
  accounts(): Promise<AccountStore>;
  /** Resolves once the package is ready; the ingest dependencies. */
  ingest(): Promise<IngestDeps>;
  /** The account store once the package is ready, else `undefined` (no promise: for the hot path). */
  readyAccounts?(): AccountStore | undefined;
  /** The ingest dependencies once the package is ready, else `undefined` (no promise: for the hot path). */
  readyIngest?(): IngestDeps | undefined;
  /** Resolves once the package is ready; the batch service. */
  batches(): Promise<BatchService>;
  /** The bytes of batch bodies this process may hold at once (`batches.inFlightBytes`). */
  batchBudget: ByteBudget;
  /** Resolves once the package is ready. */
  store(): Promise<{ collections: Collections; bookkeeper: Bookkeeper }>;
}
