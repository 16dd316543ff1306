// Ordered delivery in the dashboard, in a real Chromium and over HTTP, against the real package,
// database and receivers: the endpoint form's Ordering field (create, show, edit, bad values), and
// the deliveries state filter's `held` (ordered delivery waiting for the earlier deliveries of its
// profile), with a receiver that holds its answer so the second delivery of a profile stays held.
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
const admin = userHeader('admin', ACCOUNT.id);
const action = { ...admin, 'x-chameleon-dashboard': '1', 'content-type': 'application/json' };

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
    // The same filter through the operator methods (what `chameleon-hooks deliveries list --state held` calls).
    expect((await app.hooks.deliveries.list(ACCOUNT.id, { state: 'held' })).map((d) => d.webhook_id)).toEqual([second]);
    expect((await app.hooks.deliveries.list(ACCOUNT.id, { state: 'pending' })).map((d) => d.webhook_id)).not.toContain(second);
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

describe("the endpoint form's Ordering field", () => {
  it('should create an endpoint ordered per profile, show it, and edit it back to none', async () => {
    const watched = await openPage(await newContext(browser, admin));
    const { page } = watched;
    await page.goto(`${app.dashboardUrl}endpoints`);
    await page.getByText('Add an endpoint').click();
    const create = page.getByRole('form', { name: 'Add an endpoint' });
    expect(await create.getByLabel('Ordering').inputValue()).toBe('none');
    await create.getByLabel('URL').fill(`${receiver.url}form`);
    await create.getByLabel('Name', { exact: true }).fill('Ordered receiver');
    await create.getByLabel('Ordering').selectOption('profile');
    await create.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('status').filter({ hasText: 'Created Ordered receiver' }).waitFor();
    const stored = () => app.hooks.endpoints.list(ACCOUNT.id).then((list) => list.find((e) => e.url === `${receiver.url}form`));
    expect((await stored())?.ordering).toBe('profile');
    await page.getByRole('link', { name: 'Ordered receiver' }).click();
    await page.getByText('per profile, in publish order').waitFor();
    await page.getByText('Edit', { exact: true }).click();
    const edit = page.getByRole('form', { name: 'Edit the endpoint' });
    expect(await edit.getByLabel('Ordering').inputValue()).toBe('profile');
    await edit.getByLabel('Ordering').selectOption('none');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await until(async () => ((await stored())?.ordering === 'none' ? true : undefined), 10_000, 'ordering none stored');
    expect(watched.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
    await page.context().close();
  });

  it.each([['fifo'], ['PROFILE'], ['profile '], [1], [true], [{ $ne: 'none' }], [['profile']]])('should answer 422 naming the field for ordering %j on create and edit, and change nothing', async (ordering) => {
    const endpoints = async () => (await app.hooks.endpoints.list(ACCOUNT.id)).map((e) => [e.id, e.url, e.ordering]);
    const before = await app.hooks.endpoints.list(ACCOUNT.id);
    const created = await request(app.app).post(`${DASHBOARD_PATH}/api/endpoints`).set(action).send({ url: `${receiver.url}bad`, topics: ['tour.started'], ordering });
    expect(created.status).toBe(422);
    expect(created.body).toEqual({ code: 422, messages: [expect.stringContaining('`ordering` must be one of none, profile')] });
    const ordered = before.find((e) => e.ordering === 'profile')!;
    const edited = await request(app.app).patch(`${DASHBOARD_PATH}/api/endpoints/${String(ordered.id)}`).set(action).send({ ordering });
    expect(edited.status).toBe(422);
    expect(edited.body.messages.join(' ')).toContain('`ordering` must be one of none, profile');
    expect(await endpoints()).toEqual(before.map((e) => [e.id, e.url, e.ordering]));
  });
});
