/**
 * Start-up work done through the package's HTTP API, as a real integration would: register the
 * local receiver as the demo account's endpoint for all topics (creating an endpoint sends it a
 * `ping`), and seed a company, a profile and an event so every printed read curl has an id.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS } from '../lib/index.js';
import type { ApiCall } from './api-client.js';
import { RECEIVER_PATH } from './config.js';

/** The ids the printed curls use. */
export interface DemoIds {
  endpointId: string;
  /** The delivery of the endpoint's first ping (for the retry curl), if it was recorded in time. */
  deliveryId: string | undefined;
  companyId: string;
  profileId: string;
}

/** The demo user and company the seed creates. */
export const DEMO_USER = { uid: 'demo-user-1', email: 'jane@example.com' } as const;
export const DEMO_COMPANY_UID = 'demo-company-1';

interface Endpoint {
  id: string;
  uid: string;
}

interface Delivery {
  id: string;
  state: string;
  last_error: string | null;
}

/**
 * Registers `receiverUrl` for every topic. On a persistent database (`MONGODB_URI`), an endpoint
 * left by an earlier run for the same URL is reused, and stale demo receivers on other local
 * ports are deleted (an account may have only a few endpoints).
 */
async function registerReceiver(api: ApiCall, receiverUrl: string): Promise<{ id: string; created: boolean }> {
  const { webhooks } = await api<{ webhooks: Endpoint[] }>('GET', '/v3/edit/webhooks');
  const existing = webhooks.find((w) => w.uid === receiverUrl);
  for (const stale of webhooks) {
    const url = new URL(stale.uid);
    if (stale !== existing && url.hostname === '127.0.0.1' && url.pathname === RECEIVER_PATH) await api('DELETE', `/v3/edit/webhooks/${stale.id}`);
  }
  if (existing) return { id: existing.id, created: false };
  const { webhook } = await api<{ webhook: Endpoint }>('POST', '/v3/edit/webhooks', {
    url: receiverUrl,
    name: 'Example local receiver',
    topics: TOPICS,
  });
  return { id: webhook.id, created: true };
}

/** Waits (up to 5 s) for the endpoint's newest delivery to finish, and returns it. */
async function firstDelivery(api: ApiCall, endpointId: string): Promise<Delivery | undefined> {
  for (let i = 0; i < 50; i++) {
    const { deliveries } = await api<{ deliveries: Delivery[] }>('GET', `/v3/edit/webhooks/${endpointId}/deliveries?limit=1`);
    if (deliveries[0] && deliveries[0].state !== 'pending') return deliveries[0];
    await sleep(100);
  }
  return undefined;
}

/** Registers the receiver and seeds demo data; returns the ids for the curls. */
export async function setupDemo(api: ApiCall, receiverUrl: string): Promise<DemoIds> {
  const endpoint = await registerReceiver(api, receiverUrl);
  if (!endpoint.created) await api('POST', `/v3/edit/webhooks/${endpoint.id}/ping`);
  const delivery = await firstDelivery(api, endpoint.id);
  if (delivery && delivery.state !== 'succeeded') console.warn(`The receiver did not take the ping: ${delivery.last_error ?? delivery.state}`);

  const { company } = await api<{ company: { id: string } }>('POST', '/v3/observe/hooks/companies', {
    uid: DEMO_COMPANY_UID,
    name: 'Acme Corp',
    plan: 'enterprise',
    seats: '42',
  });
  const { profile } = await api<{ profile: { id: string } }>('POST', '/v3/observe/hooks/profiles', {
    ...DEMO_USER,
    company_uid: DEMO_COMPANY_UID,
    'User Role': 'admin',
    signed_up_at: 1881974806,
  });
  await api('POST', '/v3/observe/hooks/events', { uid: DEMO_USER.uid, name: 'Imported Leads', count: '12' });
  return { endpointId: endpoint.id, deliveryId: delivery?.id, companyId: company.id, profileId: profile.id };
}
