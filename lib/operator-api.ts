/**
 * The operator's methods of `chameleonHooks()` (used by the CLI): list accounts, list, show and retry
 * deliveries, replay an endpoint. Each goes through the package's services and answers the API's JSON.
 */
import { ObjectId } from 'mongodb';
import { ChameleonError } from './errors.js';
import { deliveryJson, type DeliveryState } from './delivery/deliveries/documents.js';
import type { DeliveryEngine } from './delivery/engine.js';
import type { Account, AccountStore } from './accounts/account-store.js';
import { parseSince } from './admin/parse-since.js';

/** Filters of `deliveries.list`. */
export interface DeliveryFilter {
  /** Only this endpoint's deliveries (24-hex id). */
  endpoint?: string;
  /**
   * `pending` (not held), `retrying` (pending after a failed attempt), `held` (ordered delivery waiting
   * for the earlier ones of its profile), `succeeded`, `failed`, `cancelled` or `skipped`.
   */
  state?: string;
  /** Only this topic. */
  topic?: string;
  /** Created at or after this time (ISO-8601, or unix seconds). */
  since?: string | number;
  /** At most this many, newest first (1–500). @defaultValue 50 */
  limit?: number;
}

const STATES = new Set(['pending', 'succeeded', 'failed', 'cancelled', 'retrying', 'held', 'skipped']);

function objectId(value: string, what: string): ObjectId {
  if (!/^[0-9a-fA-F]{24}$/.test(value)) throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`${what}\` must be a 24-hex id`);
  return new ObjectId(value);
}

/** The operator methods, over lazily started services. */
export function operatorApi(
  delivery: () => Promise<DeliveryEngine>,
  accounts: () => Promise<AccountStore>,
  accountById: (id: string) => Promise<Account>,
  retentionMs: number,
) {
  return {
    accountsList: async (): Promise<Array<{ id: string; name: string }>> => (await accounts()).list(),
    deliveries: {
      /** An account's deliveries, newest first, narrowed by endpoint, state, topic and time. */
      async list(accountId: string, filter: DeliveryFilter = {}): Promise<Record<string, unknown>[]> {
        const account = await accountById(accountId);
        const limit = filter.limit ?? 50;
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ChameleonError('CH_ERR_UNPROCESSABLE', '`limit` must be an integer from 1 to 500');
        if (filter.state !== undefined && !STATES.has(filter.state)) {
          throw new ChameleonError('CH_ERR_UNPROCESSABLE', `\`state\` must be one of ${[...STATES].join(', ')}`);
        }
        const docs = await (await delivery()).deliveries.page(account.id, {
          limit,
          ...(filter.endpoint !== undefined ? { destinationId: objectId(filter.endpoint, 'endpoint') } : {}),
          ...(filter.topic !== undefined ? { topic: filter.topic } : {}),
          ...(filter.state !== undefined ? { state: filter.state as DeliveryState | 'retrying' | 'held' } : {}),
          ...(filter.since !== undefined ? { from: parseSince(filter.since, retentionMs) } : {}),
        });
        return docs.map(deliveryJson);
      },
      /** The account's deliveries changed after `since` (oldest change first, at most `limit`), for following them live. */
      async changedSince(accountId: string, since: Date, limit = 200): Promise<Record<string, unknown>[]> {
        const account = await accountById(accountId);
        return (await (await delivery()).deliveries.changedSince(account.id, since, limit)).map(deliveryJson);
      },
      /** One delivery with its attempts. */
      async get(accountId: string, deliveryId: string): Promise<Record<string, unknown>> {
        return deliveryJson(await (await delivery()).delivery(await accountById(accountId), deliveryId));
      },
      /** Attempts one delivery again now and resolves after the attempt. */
      async retry(accountId: string, deliveryId: string): Promise<Record<string, unknown>> {
        return deliveryJson(await (await delivery()).retry(await accountById(accountId), deliveryId));
      },
    },
    /** Resends every stored webhook since `since` that the endpoint subscribes to, as new deliveries. */
    async replay(accountId: string, endpointId: string, since: string | number): Promise<{ since: string; deliveries: number }> {
      const when = parseSince(since, retentionMs);
      const result = await (await delivery()).replay(await accountById(accountId), endpointId, when);
      return { since: when.toISOString(), deliveries: result.deliveries };
    },
  };
}

/** The operator methods' type. */
export type OperatorApi = ReturnType<typeof operatorApi>;
