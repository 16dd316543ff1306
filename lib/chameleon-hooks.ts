/**
 * The factory: `chameleonHooks(options)` parses the options, builds the router at once, and
 * connects lazily (`ready()`, or the first request). The result is an Express router with
 * the package's methods attached.
 */
import type { Router } from 'express';
import { parseOptions, type Config, type Options } from './options.js';
import { ChameleonError } from './errors.js';
import { createRouter } from './http/router.js';
import { accountRateLimit } from './http/rate-limit.js';
import { ByteBudget } from './batches/budget.js';
import { startRuntime, stopRuntime, type Runtime } from './runtime.js';
import type { CreatedAccount } from './accounts/account-store.js';
import type { RouteContext } from './http/route-context.js';
import type { Agenda } from 'agenda';
import { mountWebhookRoutes } from './admin/webhooks-routes.js';
import { mountReportingRoutes } from './integrations/customerio/reporting/route.js';
import type { PublishResult } from './delivery/publisher.js';
import type { EndpointInput } from './delivery/endpoints/endpoints-repo.js';
import { endpointJson } from './delivery/endpoints/documents.js';
import type { PublishKind, PublishPayloads } from './topics/index.js';
import type { Account } from './accounts/account-store.js';
import { mountCustomerioRoutes } from './integrations/customerio/routes.js';
import { customerioJson } from './integrations/customerio/documents.js';
import type { CustomerioInput } from './integrations/customerio/config.js';
import { createDashboardRouter } from './dashboard/router.js';
import { parseDashboardOptions, type DashboardOptions } from './dashboard/options.js';
import { metricsFor } from './metrics/metrics.js';
import { operatorApi, type OperatorApi } from './operator-api.js';
import { httpMetrics } from './metrics/http-metrics.js';

/** What `chameleonHooks()` returns: an Express router (mount it with `app.use`) plus methods. */
export interface ChameleonHooks extends Router {
  /** Connects, creates indexes and starts background work. Idempotent. */
  ready(): Promise<void>;
  /** Stops taking work, drains what is in flight, writes pending bookkeeping, closes what it opened. */
  close(): Promise<void>;
  /** Account helpers for accounts stored in MongoDB. */
  accounts: {
    /** Creates an account; its secrets are returned this once. */
    create(input: { name: string; domain?: string }): Promise<CreatedAccount>;
    /** Rotates an account's webhook secret; the old one stays valid for `graceMs`. */
    rotateWebhookSecret(accountId: string, graceMs?: number): Promise<string>;
    /** The accounts (id and name; never a secret). */
    list(): Promise<Array<{ id: string; name: string }>>;
  };
  /**
   * Publishes a webhook to every endpoint of the account subscribed to `topic`: validates
   * `data` against the topic's schema (typed error, nothing stored, when invalid), stores it
   * once, fans out one delivery per endpoint and attempts each right away. `topic` may also be
   * an activity kind (`tour.step.seen`, `tour.previewed`): validated and stored the same way,
   * forwarded only to integrations that ask for it, never to webhook endpoints.
   */
  publish<T extends PublishKind>(accountId: string, topic: T, data: PublishPayloads[T]): Promise<PublishResult>;
  /** Sends a `ping` to one endpoint and resolves with the attempt's outcome. */
  ping(accountId: string, endpointId: string): Promise<{ id: string; state: string; status: number | null; error: string | null }>;
  /** Endpoint helpers (the same rules as the `/v3/edit/webhooks` API). */
  endpoints: {
    /** Creates an endpoint (URL policy, topics, per-account limit); a ping is sent to it. */
    create(accountId: string, input: EndpointInput): Promise<Record<string, unknown>>;
    /** Lists an account's endpoints. */
    list(accountId: string): Promise<Record<string, unknown>[]>;
    /**
     * Changes an endpoint's `url`, `name`, `topics`, `experience_ids` or `ordering` (`none` or
     * `profile`), under the same checks as `create`; resolves with the endpoint.
     */
    update(accountId: string, endpointId: string, input: EndpointInput): Promise<Record<string, unknown>>;
    /** Deletes an endpoint and cancels its pending deliveries. */
    delete(accountId: string, endpointId: string): Promise<void>;
    /**
     * Enables an endpoint that was disabled (by a `410`, or after failing for the auto-disable
     * period) and clears its failure run; resolves with the endpoint. Enabling an enabled one
     * changes nothing.
     */
    enable(accountId: string, endpointId: string): Promise<Record<string, unknown>>;
  };
  /** Integrations with other tools (the same rules as the `/v3/edit/integrations/…` API). */
  integrations: {
    /** Customer.io, as a destination of tour activity (and the key of its reporting webhooks). */
    customerio: {
      /** Connects or reconfigures Customer.io for an account; resolves with the integration, secrets masked. */
      set(accountId: string, config: CustomerioInput): Promise<Record<string, unknown>>;
      /** The account's integration (secrets masked), or `null` when not connected. */
      get(accountId: string): Promise<Record<string, unknown> | null>;
      /** Disconnects Customer.io and cancels its pending deliveries; rejects with `CH_ERR_NOT_FOUND` when not connected. */
      delete(accountId: string): Promise<void>;
    };
  };
  /**
   * The embedded dashboard: an Express router to mount where you like, e.g.
   * `app.use('/admin/hooks', hooks.dashboard({ authorize }))`.
   * @throws InvalidOptionError without `authorize` (there is no open dashboard).
   */
  dashboard(options: DashboardOptions): Router;
  /**
   * The Prometheus text exposition of the package's metrics (`chameleon_hooks_*`), for a host's own
   * `/metrics` route; with `metrics.registry` the host's registry shows them as well.
   */
  metrics(): Promise<string>;
  /** Delivery history and control (the same rules as the `/v3/edit/deliveries…` API). */
  deliveries: OperatorApi['deliveries'];
  /** Resends every stored webhook since `since` that the endpoint subscribes to; resolves with how many. */
  replay: OperatorApi['replay'];
  /** The Agenda instance the delivery jobs run on (once ready). */
  readonly agenda: Agenda | undefined;
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
export function chameleonHooks(options: Options = {}): ChameleonHooks {
  const config = parseOptions(options);
  const metrics = metricsFor(config.metrics.registry);
  let starting: Promise<Runtime> | undefined;
  let current: Runtime | undefined; // set once ready, for the synchronous `agenda` getter
  let closed = false;

  const runtime = (): Promise<Runtime> => {
    if (closed) return Promise.reject(new ChameleonError('CH_ERR_NOT_READY', 'chameleon-hooks is closed'));
    starting ??= startRuntime(config, metrics).then((r) => (current = r)).catch((error: unknown) => {
      starting = undefined; // let a later call retry, e.g. once the database is up
      throw error;
    });
    return starting;
  };

  const ctx: RouteContext = {
    config,
    rateLimit: accountRateLimit(config),
    accounts: () => (current && !closed ? Promise.resolve(current.accounts) : runtime().then((r) => r.accounts)),
    // Once ready, without another await per request (the hot path).
    ingest: () => (current && !closed ? Promise.resolve(current.ingest) : runtime().then((r) => r.ingest)),
    readyAccounts: () => (current && !closed ? current.accounts : undefined),
    readyIngest: () => (current && !closed ? current.ingest : undefined),
    batches: async () => (await runtime()).batches,
    batchBudget: new ByteBudget(config.batches.inFlightBytes),
    store: async () => {
      const r = await runtime();
      return { collections: r.collections, bookkeeper: r.bookkeeper };
    },
  };
  const delivery = async () => (await runtime()).delivery;
  const customerio = async () => (await runtime()).customerio;
  const router = createRouter(
    ctx,
    [
      // Reporting webhooks first (a data-in hot path, right after the data-in routes); once ready,
      // their deps are handed out without another await per webhook (like `ingest`).
      (r, c) => mountReportingRoutes(r, c, () => (current && !closed ? Promise.resolve(current.reporting) : runtime().then((rt) => rt.reporting))),
      (r, c) => mountWebhookRoutes(r, c, delivery),
      (r, c) => mountCustomerioRoutes(r, c, customerio, delivery),
    ],
    httpMetrics(metrics),
  ) as ChameleonHooks;

  const accountById = async (accountId: string): Promise<Account> => {
    const account = await (await runtime()).accounts.findById(accountId);
    if (!account) throw new ChameleonError('CH_ERR_NOT_FOUND', `No account with id ${accountId}`);
    return account;
  };

  const operator = operatorApi(delivery, async () => (await runtime()).accounts, accountById, config.delivery.retentionMs);
  Object.defineProperty(router, 'agenda', { get: () => current?.delivery.agenda, enumerable: true });
  return Object.assign(router, {
    config,
    async ready(): Promise<void> {
      await runtime();
    },
    dashboard(options: DashboardOptions): Router {
      return createDashboardRouter({ ctx, delivery, customerio, dashboard: parseDashboardOptions(options) });
    },
    metrics: (): Promise<string> => metrics.registry.metrics(),
    async publish<T extends PublishKind>(accountId: string, topic: T, data: PublishPayloads[T]): Promise<PublishResult> {
      const account = await accountById(accountId);
      return (await delivery()).publish(account, topic, data);
    },
    async ping(accountId: string, endpointId: string) {
      const account = await accountById(accountId);
      const { webhook_id, report } = await (await delivery()).ping(account, endpointId);
      return { id: webhook_id, state: report?.state ?? 'pending', status: report?.log.status ?? null, error: report?.log.error ?? null };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const started = await starting?.catch(() => undefined);
      if (started) await stopRuntime(started);
    },
    endpoints: {
      async create(accountId: string, input: EndpointInput) {
        const account = await accountById(accountId);
        const service = await delivery();
        const doc = await service.endpoints.create(account.id, input);
        void service.ping(account, doc._id.toHexString()).catch(() => undefined);
        return endpointJson(doc);
      },
      async list(accountId: string) {
        const account = await accountById(accountId);
        return (await (await delivery()).endpoints.list(account.id)).map((d) => endpointJson(d));
      },
      async update(accountId: string, endpointId: string, input: EndpointInput) {
        const account = await accountById(accountId);
        return endpointJson(await (await delivery()).endpoints.update(account.id, endpointId, input));
      },
      async delete(accountId: string, endpointId: string) {
        await (await delivery()).deleteEndpoint(await accountById(accountId), endpointId);
      },
      async enable(accountId: string, endpointId: string) {
        const account = await accountById(accountId);
        const service = await delivery();
        await service.endpoints.enable((await service.endpoints.get(account.id, endpointId))._id);
        return endpointJson(await service.endpoints.get(account.id, endpointId));
      },
    },
    integrations: {
      customerio: {
        async set(accountId: string, config: CustomerioInput) {
          const account = await accountById(accountId);
          return customerioJson(await (await customerio()).set(account.id, config));
        },
        async get(accountId: string) {
          const doc = await (await customerio()).get((await accountById(accountId)).id);
          return doc ? customerioJson(doc) : null;
        },
        async delete(accountId: string) {
          await (await customerio()).delete((await accountById(accountId)).id);
        },
      },
    },
    accounts: {
      create: async (input: { name: string; domain?: string }) => (await runtime()).accounts.create(input),
      rotateWebhookSecret: async (accountId: string, graceMs?: number) => (await runtime()).accounts.rotateWebhookSecret(accountId, graceMs),
      list: operator.accountsList,
    },
    deliveries: operator.deliveries,
    replay: operator.replay,
  });
}
