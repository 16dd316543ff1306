// The dashboard end to end in a real Chromium, against the real package, database and receivers:
// create an endpoint and see its ping; a failing receiver's retrying attempts with its response;
// retry; replay; rotate the signing secret; viewers cannot act; authorize → null is refused;
// switching accounts never shows another account's data.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { launchBrowser, newContext, openPage, screenshot, type WatchedPage } from './support/browser.js';
import { DASHBOARD_PATH, startDashboardApp, userHeader, type DashboardApp } from './support/dashboard-app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { fastDelivery, topicData, until } from '../integration/support/delivery.js';
import { ObjectId } from 'mongodb';
import type { CreatedAccount } from '../../lib/index.js';

let app: DashboardApp;
let browser: Browser;
let receiver: Receiver;
let acme: CreatedAccount;
let globex: CreatedAccount;
const RECEIVER_ERROR = 'receiver exploded: <b>database down</b>';

beforeAll(async () => {
  // Stored accounts (so secrets can rotate); a first retry a minute away, so "retrying" stays visible.
  app = await startDashboardApp({ accounts: [], delivery: fastDelivery({ retrySchedule: [60_000, 60_000] }) });
  browser = await launchBrowser();
  receiver = await startReceiver();
  acme = await app.hooks.accounts.create({ name: 'Acme' });
  globex = await app.hooks.accounts.create({ name: 'Globex' });
  await fetch(`${app.origin}/chameleon/v3/observe/hooks/${globex.secret}/profiles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ uid: 'globex-secret-user', plan: 'globex-only-plan' }),
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
});

async function adminPage(account = acme.id): Promise<WatchedPage> {
  return openPage(await newContext(browser, userHeader('admin', account)));
}

async function done(watched: WatchedPage): Promise<void> {
  expect(watched.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
  await watched.page.context().close();
}

function notice(page: Page, text: string | RegExp) {
  return page.getByRole('status').filter({ hasText: text }).waitFor();
}

describe('an admin on call', () => {
  let endpointId: string;

  it('should create an endpoint and see its ping', async () => {
    const watched = await adminPage();
    const { page } = watched;
    await page.goto(`${app.dashboardUrl}endpoints`);
    await page.getByText('Add an endpoint').click();
    await page.getByLabel('URL').fill(`${receiver.url}hooks`);
    await page.getByLabel('Name', { exact: true }).fill('Main receiver');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await notice(page, 'Created Main receiver');
    await page.getByRole('link', { name: 'Main receiver' }).waitFor();
    await until(() => receiver.requests.length >= 1, 10_000, 'the ping');
    const endpoints = await app.hooks.endpoints.list(acme.id);
    endpointId = String(endpoints[0]!.id);
    await page.goto(`${app.dashboardUrl}deliveries?topic=ping`);
    await page.locator('tbody tr').filter({ hasText: 'succeeded' }).first().waitFor();
    await screenshot(page, 'deliveries-ping');
    await page.goto(`${app.dashboardUrl}endpoints`);
    await page.getByRole('cell', { name: /active/ }).waitFor();
    await screenshot(page, 'endpoints');
    await done(watched);
  });

  it("should show a failing receiver's retrying attempts with its response, and retry it", async () => {
    receiver.setHandler(() => ({ status: 500, body: RECEIVER_ERROR }));
    const { id: webhookId } = await app.hooks.publish(acme.id, 'tour.started', topicData('tour.started') as never);
    await until(() => receiver.requests.some((r) => r.headers['x-chameleon-id'] === webhookId), 10_000, 'the first attempt');
    const overview = await request(app.app).get(`${DASHBOARD_PATH}/api/overview`).set(userHeader('viewer', acme.id)).expect(200);
    expect(overview.body.pending).toEqual({ count: 1, oldest_at: expect.any(String) });
    expect(Date.now() - Date.parse(overview.body.pending.oldest_at)).toBeLessThan(60_000);
    const watched = await adminPage();
    const { page } = watched;
    await page.goto(`${app.dashboardUrl}deliveries?state=retrying`);
    const row = page.locator('tbody tr').filter({ hasText: 'tour.started' });
    await row.first().waitFor();
    expect(await row.first().innerText()).toContain('retrying');
    await screenshot(page, 'deliveries');
    await row.first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    const attempts = page.getByRole('table', { name: 'Attempts, oldest first' });
    await attempts.waitFor();
    expect(await attempts.innerText()).toContain('500');
    expect(await attempts.innerText()).toContain(RECEIVER_ERROR);
    expect(await page.locator('pre[aria-label="Request body"]').innerText()).toContain(webhookId);
    await screenshot(page, 'delivery-detail');
    receiver.setHandler(() => ({ status: 200, body: 'ok' }));
    await page.getByRole('button', { name: 'Retry now' }).click();
    await notice(page, 'Retried: succeeded.');
    await attempts.filter({ hasText: 'manual' }).waitFor();
    await page.goto(app.dashboardUrl);
    await page.getByRole('figure').first().waitFor();
    await page.getByRole('cell', { name: 'Main receiver' }).waitFor();
    // The ping and the retry succeeded; the first attempt failed and was retried: each counted in its hour.
    expect(await page.getByRole('figure').first().locator('figcaption').innerText()).toMatch(/Last 24 hours: 2 succeeded, 1 retrying, 0 failed/);
    await screenshot(page, 'overview');
    await done(watched);
  });

  it('should replay failed deliveries since a time', async () => {
    const before = receiver.requests.length;
    const watched = await adminPage();
    const { page } = watched;
    await page.goto(`${app.dashboardUrl}endpoints/${endpointId}`);
    const since = new Date(Date.now() - 10 * 60_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('Replay failed deliveries since').fill(since);
    await page.getByRole('button', { name: 'Replay' }).click();
    await notice(page, /Replaying [1-9]\d* deliveries/);
    await until(() => receiver.requests.length > before, 10_000, 'the replayed delivery');
    await screenshot(page, 'endpoint-detail');
    await done(watched);
  });

  it('should reveal the signing secret on a click, and rotate it with a grace period', async () => {
    const watched = await adminPage();
    const { page } = watched;
    await page.goto(`${app.dashboardUrl}endpoints`);
    expect(await page.content()).not.toContain(acme.webhookSecret);
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    await expect(page.getByTestId('secret').innerText()).resolves.toBe(acme.webhookSecret);
    // The Standard Webhooks form that svix / standardwebhooks receivers take.
    await expect(page.getByTestId('standard-secret').innerText()).resolves.toBe(`whsec_${Buffer.from(acme.webhookSecret).toString('base64')}`);
    await page.getByLabel('Grace period').selectOption('24');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await notice(page, 'Rotated');
    const rotated = await page.getByTestId('secret').innerText();
    expect(rotated).not.toBe(acme.webhookSecret);
    expect(rotated).toMatch(/^whsec_/);
    expect(await page.locator('main').innerText()).toContain(acme.webhookSecret); // the previous one, still signing
    await done(watched);
  });
});

describe('managing an endpoint', () => {
  it('should edit it, ping it, enable it once disabled, and delete it', async () => {
    const created = await app.hooks.endpoints.create(acme.id, { url: `${receiver.url}second`, name: 'Second', topics: ['ping'] });
    const id = String(created.id);
    await until(() => receiver.requests.some((r) => r.path === '/second'), 10_000, 'the creation ping');
    const watched = await adminPage();
    const { page } = watched;
    await page.goto(`${app.dashboardUrl}endpoints/${id}`);
    await page.getByText('Edit', { exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('Second, renamed');
    await page.getByLabel('tour.completed').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await notice(page, 'Saved.');
    await page.getByRole('heading', { name: 'Second, renamed' }).waitFor();
    expect((await app.hooks.endpoints.list(acme.id)).find((e) => e.id === id)).toMatchObject({ name: 'Second, renamed', topics: ['ping', 'tour.completed'] });
    const pings = receiver.requests.filter((r) => r.path === '/second').length;
    await page.getByRole('button', { name: 'Send a ping' }).click();
    await notice(page, 'Ping: succeeded (HTTP 200)');
    expect(receiver.requests.filter((r) => r.path === '/second').length).toBe(pings + 1);
    // Disabled (as 410 Gone or days of failures would): the page offers to enable it.
    await app.db.db.collection('chameleon_endpoints').updateOne({ _id: new ObjectId(id) }, { $set: { disabled: true, disabled_reason: 'The endpoint answered 410 Gone', disabled_at: new Date() } });
    await page.reload();
    await page.getByText('The endpoint answered 410 Gone').waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await notice(page, 'Enabled.');
    expect((await app.hooks.endpoints.list(acme.id)).find((e) => e.id === id)?.state).toBe('enabled');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Really delete?' }).click();
    await page.waitForURL(/\/endpoints(\?|$)/);
    expect((await app.hooks.endpoints.list(acme.id)).some((e) => e.id === id)).toBe(false);
    await done(watched);
  });

  it.each([
    [{ url: 'ftp://example.com/x' }],
    [{ topics: ['no.such.topic'] }],
    [{ name: 'x'.repeat(201) }],
    [{ secret: 'mine' }],
  ])('should refuse the edit %j with 422 and change nothing', async (body) => {
    const [endpoint] = await app.hooks.endpoints.list(acme.id);
    const res = await request(app.app)
      .patch(`${DASHBOARD_PATH}/api/endpoints/${String(endpoint!.id)}`)
      .set(userHeader('admin', acme.id))
      .set('x-chameleon-dashboard', '1')
      .send(body);
    expect(res.status).toBe(422);
    expect((await app.hooks.endpoints.list(acme.id))[0]).toEqual(endpoint);
  });
});

describe('a viewer', () => {
  it('should see everything and be refused every action', async () => {
    const watched = await openPage(await newContext(browser, userHeader('viewer', acme.id)));
    const { page } = watched;
    await page.goto(`${app.dashboardUrl}endpoints`);
    await page.getByRole('link', { name: 'Main receiver' }).waitFor();
    expect(await page.getByText('Add an endpoint').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reveal secret' }).count()).toBe(0);
    const viewer = userHeader('viewer', acme.id);
    const csrf = { 'x-chameleon-dashboard': '1' };
    const endpoints = await app.hooks.endpoints.list(acme.id);
    const id = String(endpoints[0]!.id);
    for (const [method, path] of [
      ['post', 'endpoints'],
      ['post', `endpoints/${id}/ping`],
      ['delete', `endpoints/${id}`],
      ['post', 'secret/reveal'],
      ['post', 'secret/rotate'],
      ['post', 'replay'],
    ] as const) {
      const res = await request(app.app)[method](`${DASHBOARD_PATH}/api/${path}`).set(viewer).set(csrf).send({});
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(await app.hooks.endpoints.list(acme.id)).toHaveLength(1);
    await done(watched);
  });
});

describe('access', () => {
  it('should refuse a browser whose authorize returns null', async () => {
    const context = await newContext(browser, {});
    const page = await context.newPage();
    const response = await page.goto(`${app.dashboardUrl}deliveries`);
    expect(response?.status()).toBe(401);
    expect(await page.locator('body').innerText()).toContain('Sign in');
    await context.close();
  });

  it("should switch accounts without ever showing another account's data", async () => {
    const watched = await openPage(await newContext(browser, userHeader('admin', acme.id, true)));
    const { page } = watched;
    await page.goto(`${app.dashboardUrl}activity`);
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    await page.waitForFunction('!document.querySelector(".loading")');
    expect(await page.locator('main').innerText()).not.toContain('globex-secret-user');
    await page.getByLabel('Account').selectOption(globex.id);
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.waitForURL(new RegExp(`account=${globex.id}`));
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('cell', { name: 'globex-secret-user' }).waitFor();
    await page.getByRole('link', { name: 'Endpoints' }).click();
    await page.getByText('No endpoints yet.').waitFor();
    expect(await page.locator('main').innerText()).not.toContain('Main receiver');
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByText('No deliveries match.').waitFor();
    await done(watched);
  });
});
