// The deliveries page's state filter and its API know `held` (ordered delivery: waiting for the
// earlier deliveries of its profile): in a real Chromium and over HTTP, against the real package,
// database and a receiver that holds its answer so the second delivery of a profile stays held.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { ACCOUNT } from '../helpers/app.js';
import { launchBrowser, newContext, openPage, screenshot } from './support/browser.js';
import { DASHBOARD_PATH, startDashboardApp, userHeader, type DashboardApp } from './support/dashboard-app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { collections, fastDelivery, topicData, until } from '../integration/support/delivery.js';

const PROFILE = 'ab'.repeat(12);
let app: DashboardApp;
let browser: Browser;
let receiver: Receiver;
let release: () => void = () => undefined;
let first: string;
let second: string;
const viewer = userHeader('viewer', ACCOUNT.id);

/** The dashboard API's deliveries (their webhook ids) for a state filter. */
async function listed(state: string): Promise<string[]> {
  const res = await request(app.app).get(`${DASHBOARD_PATH}/api/deliveries?state=${state}`).set(viewer).expect(200);
  return (res.body.deliveries as Array<{ webhook_id: string; state: string }>).map((d) => d.webhook_id);
}

beforeAll(async () => {
  app = await startDashboardApp({ delivery: fastDelivery() });
  browser = await launchBrowser();
  const gate = new Promise<void>((resolve) => (release = resolve));
  // Pings answer at once; tour.started waits until the test is done looking at the held one.
  receiver = await startReceiver(async (_req, body) => {
    if ((JSON.parse(body.toString('utf8')) as { kind: string }).kind !== 'ping') await gate;
    return { status: 200 };
  });
  const endpoint = await app.hooks.endpoints.create(ACCOUNT.id, { url: `${receiver.url}hooks`, topics: ['tour.started'], ordering: 'profile' });
  await until(() => receiver.requests.length >= 1, 10_000, 'the creation ping');
  const data = topicData('tour.started');
  (data.profile as { id: string }).id = PROFILE;
  first = (await app.hooks.publish(ACCOUNT.id, 'tour.started', data as never)).id;
  second = (await app.hooks.publish(ACCOUNT.id, 'tour.started', data as never)).id;
  const { deliveries } = collections(app.db.db);
  await until(() => deliveries.findOne({ endpoint_id: { $exists: true }, held: true, state: 'pending' }), 10_000, 'the held delivery');
  expect(endpoint.ordering).toBe('profile');
}, 60_000);

afterAll(async () => {
  release();
  await browser?.close();
  await receiver?.close();
});

describe('the deliveries state filter', () => {
  it('should list only the held delivery for state=held, and not count it as pending', async () => {
    expect(await listed('held')).toEqual([second]);
    expect(await listed('pending')).not.toContain(second);
    const all = await request(app.app).get(`${DASHBOARD_PATH}/api/deliveries`).set(viewer).expect(200);
    const shown = (all.body.deliveries as Array<{ webhook_id: string; state: string }>).find((d) => d.webhook_id === second);
    expect(shown?.state).toBe('held');
    expect(await listed('succeeded')).not.toContain(first);
  });

  it.each(['HELD', 'hold', 'held ', 'sending', '{"$ne":null}'])('should answer 422 listing the states (held among them) for state=%j', async (state) => {
    const res = await request(app.app).get(`${DASHBOARD_PATH}/api/deliveries`).query({ state }).set(viewer).expect(422);
    expect(res.body).toEqual({ code: 422, messages: ['`state` must be one of pending, retrying, held, succeeded, failed, cancelled, skipped'] });
  });

  it('should answer 422 for a repeated state (not one string), never a 500', async () => {
    const res = await request(app.app).get(`${DASHBOARD_PATH}/api/deliveries?state=held&state=pending`).set(viewer).expect(422);
    expect(res.body.messages).toEqual(['`state` must be one string of at most 512 characters']);
  });

  it('should offer held in the page\'s State filter and show the held delivery when chosen', async () => {
    const watched = await openPage(await newContext(browser, viewer));
    const { page } = watched;
    await page.goto(`${app.dashboardUrl}deliveries`);
    const select = page.getByLabel('State');
    await select.waitFor();
    expect(await select.locator('option').allInnerTexts()).toEqual(['all', 'pending', 'retrying', 'held', 'succeeded', 'failed', 'cancelled', 'skipped']);
    await select.selectOption('held');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/state=held/);
    const rows = page.locator('tbody tr');
    await rows.filter({ hasText: 'held' }).first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('tour.started');
    expect(await page.getByLabel('State').inputValue()).toBe('held');
    await screenshot(page, 'deliveries-held');
    expect(watched.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
    await page.context().close();
  });
});
