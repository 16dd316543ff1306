/**
 * The account's destinations for the dashboard: its endpoints and, when connected, its
 * Customer.io integration, each with a label and its state.
 */
import type { DashboardDeps } from '../deps.js';

/** One destination as the dashboard lists it. */
export interface DestinationView {
  id: string;
  kind: 'endpoint' | 'integration';
  label: string;
  url: string | null;
  state: string;
  last_item_at: string | null;
  last_item_state: string | null;
  last_item_error: string | null;
}

/** The account's endpoints, then its integrations. */
export async function listDestinations(deps: DashboardDeps, account: string): Promise<DestinationView[]> {
  const [endpoints, customerio] = await Promise.all([(await deps.delivery()).endpoints.list(account), (await deps.customerio()).get(account)]);
  const views: DestinationView[] = endpoints.map((e) => ({
    id: e._id.toHexString(),
    kind: 'endpoint',
    label: e.name || e.url,
    url: e.url,
    state: e.disabled ? 'disabled' : 'enabled',
    last_item_at: e.last_item_at?.toISOString() ?? null,
    last_item_state: e.last_item_state,
    last_item_error: e.last_item_error,
  }));
  if (customerio) {
    views.push({
      id: customerio._id.toHexString(),
      kind: 'integration',
      label: 'Customer.io',
      url: null,
      state: customerio.last_item_state === 'error' ? 'error' : 'connected',
      last_item_at: customerio.last_item_at?.toISOString() ?? null,
      last_item_state: customerio.last_item_state,
      last_item_error: customerio.last_item_error,
    });
  }
  return views;
}
