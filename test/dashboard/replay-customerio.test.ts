// Replay to the Customer.io integration from the dashboard, in a real Chromium: from the
// Integrations page and from the Deliveries page's "replay failed since…" (Customer.io chosen),
// both through the edit API's replay (new deliveries that reach the local Track API; Customer.io
// deduplicates the events by id); viewers cannot; bad input and no connection are refused.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { launchBrowser, newContext, openPage, screenshot, type WatchedPage } from './support/browser.js';
import { DASHBOARD_PATH, startDashboardApp, userHeader, type DashboardApp } from './support/dashboard-app.js';
import { startTrackApi, type TrackApi } from '../helpers/track-api.js';
import { fastDelivery, topicData, until } from '../integration/support/delivery.js';
import { ACCOUNT, OTHER_ACCOUNT } from '../helpers/app.js';

const SITE = 'site_replay';
const KEY = 'key_replay_0123456789';
const action = { 'x-chameleon-dashboard': '1', 'content-type': 'application/json' };
let app: DashboardApp;
let browser: Browser;
let trackApi: TrackApi;
let integrationId: string;

/** Published webhooks' event requests the Track API received for `uid`. */
const eventRequests = (uid: string): number => trackApi.requests.filter((r) => r.path.includes(`/customers/${uid}/events`)).length;

/** A `datetime-local` value ten minutes ago. */
const tenMinutesAgo = (): string => new Date(Date.now() - 10 * 60_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

beforeAll(async () => {
  trackApi = await startTrackApi({ siteId: SITE, apiKey: KEY });
  app = await startDashboardApp({ delivery: fastDelivery({ retrySchedule: [60_000] }) });
  browser = await launchBrowser();
  const doc = await app.hooks.integrations.customerio.set(ACCOUNT.id, { site_id: SITE, api_key: KEY, track_url: trackApi.baseUrl });
  integrationId = String(doc.id);
  const data = topicData('tour.started');
  (data.profile as Record<string, unknown>).uid = 'replay-u1';
  await app.hooks.publish(ACCOUNT.id, 'tour.started', data as never);
  await until(() => eventRequests('replay-u1') >= 1, 10_000, 'the first delivery to Customer.io');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await trackApi?.close();
});

async function page(role: 'admin' | 'viewer'): Promise<WatchedPage> {
  return openPage(await newContext(browser, userHeader(role, ACCOUNT.id)));
}

async function done(watched: WatchedPage): Promise<void> {
  expect(watched.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
  await watched.page.context().close();
}

function notice(p: Page, text: string | RegExp) {
  return p.getByRole('status').filter({ hasText: text }).waitFor();
}

describe('replay to Customer.io from the dashboard', () => {
  it('should replay from the Integrations page: new deliveries reach the Track API, deduplicated there', async () => {
    const before = eventRequests('replay-u1');
    const watched = await page('admin');
    await watched.page.goto(`${app.dashboardUrl}integrations`);
    await watched.page.getByLabel('Replay failed deliveries since').fill(tenMinutesAgo());
    await watched.page.getByRole('button', { name: 'Replay' }).click();
    await notice(watched.page, /Replaying [1-9]\d* deliveries to Customer\.io/);
    await until(() => eventRequests('replay-u1') > before, 10_000, 'the replayed delivery');
    expect(trackApi.events.filter((e) => e.customerId === 'replay-u1')).toHaveLength(1);
    await screenshot(watched.page, 'integrations-replay');
    await done(watched);
  });

  it('should replay from the Deliveries page to the destination filtered on', async () => {
    const before = eventRequests('replay-u1');
    const watched = await page('admin');
    await watched.page.goto(`${app.dashboardUrl}deliveries?destination=${integrationId}&state=succeeded`);
    await watched.page.getByRole('cell', { name: 'Customer.io' }).first().waitFor();
    await watched.page.getByText('Replay deliveries since a time').click(); // opens the panel
    expect(await watched.page.getByLabel('Replay to').inputValue()).toBe(integrationId);
    await watched.page.getByLabel('Replay failed deliveries since').fill(tenMinutesAgo());
    await watched.page.getByRole('button', { name: 'Replay', exact: true }).click();
    await notice(watched.page, /Replaying [1-9]\d* deliveries to Customer\.io/);
    await until(() => eventRequests('replay-u1') > before, 10_000, 'the replayed delivery');
    await done(watched);
  });

  it('should offer no replay to a viewer, and refuse one sent anyway (403)', async () => {
    const watched = await page('viewer');
    await watched.page.goto(`${app.dashboardUrl}integrations`);
    await watched.page.getByLabel('Step Seen events').waitFor();
    expect(await watched.page.getByLabel('Replay failed deliveries since').count()).toBe(0);
    await watched.page.goto(`${app.dashboardUrl}deliveries`);
    await watched.page.getByRole('table').waitFor();
    expect(await watched.page.getByLabel('Replay failed deliveries since').count()).toBe(0);
    await done(watched);
    const before = eventRequests('replay-u1');
    const res = await request(app.app).post(`${DASHBOARD_PATH}/api/integrations/customerio/replay`).set(userHeader('viewer', ACCOUNT.id)).set(action).send({ since: new Date(Date.now() - 600_000).toISOString() });
    expect(res.status).toBe(403);
    expect(eventRequests('replay-u1')).toBe(before);
  });

  it.each([
    [{}],
    [{ since: 'yesterday' }],
    [{ since: new Date(Date.now() + 3_600_000).toISOString() }],
    [{ since: { $gt: '' } }],
    [{ since: '<script>alert(1)</script>' }],
  ])('should refuse the body %j with 422 in {code, messages}', async (body) => {
    const res = await request(app.app).post(`${DASHBOARD_PATH}/api/integrations/customerio/replay`).set(userHeader('admin', ACCOUNT.id)).set(action).send(body);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, messages: [expect.any(String)] });
  });

  it('should answer 404 for an account without Customer.io, and refuse a cross-site request', async () => {
    const since = new Date(Date.now() - 600_000).toISOString();
    const res = await request(app.app).post(`${DASHBOARD_PATH}/api/integrations/customerio/replay`).set(userHeader('admin', OTHER_ACCOUNT.id)).set(action).send({ since });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe(404);
    const crossSite = await request(app.app).post(`${DASHBOARD_PATH}/api/integrations/customerio/replay`).set(userHeader('admin', ACCOUNT.id)).set({ 'content-type': 'application/json' }).send({ since });
    expect(crossSite.status).toBe(403);
  });
});
