// The Integrations page in a real Chromium: the Customer.io connection, masked keys, and the
// step-seen toggle (an admin changes it; a viewer cannot).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { launchBrowser, newContext, openPage, screenshot } from './support/browser.js';
import { DASHBOARD_PATH, startDashboardApp, userHeader, type DashboardApp } from './support/dashboard-app.js';
import { ACCOUNT, OTHER_ACCOUNT } from '../helpers/app.js';

let app: DashboardApp;
let browser: Browser;
const API_KEY = 'cio_api_key_that_must_never_show_0123';

beforeAll(async () => {
  app = await startDashboardApp();
  browser = await launchBrowser();
  await app.hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 'site-123', api_key: API_KEY, region: 'eu', webhook_signing_key: 'signing_key_secret_0123' });
}, 60_000);

afterAll(() => browser?.close());

describe('Integrations page', () => {
  it('should show the connection with masked keys, and let an admin turn step-seen on', async () => {
    const context = await newContext(browser, userHeader('admin', ACCOUNT.id));
    const { page, problems } = await openPage(context);
    await page.goto(`${app.dashboardUrl}integrations`);
    const toggle = page.getByLabel('Step Seen events');
    await toggle.waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('site-123');
    expect(text).toContain('********');
    expect(text).toContain('/v3/observe/hooks/<account secret>/customerio');
    expect(await page.content()).not.toContain(API_KEY);
    expect(await toggle.isChecked()).toBe(false);
    await screenshot(page, 'integrations');
    await toggle.check();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    expect((await app.hooks.integrations.customerio.get(ACCOUNT.id))?.step_seen).toBe(true);
    // The secrets were kept: the integration still has its signing key and its api key.
    const after = await app.hooks.integrations.customerio.get(ACCOUNT.id);
    expect(after).toMatchObject({ site_id: 'site-123', region: 'eu', webhook_signing_key: '********', api_key: '********' });
    await toggle.uncheck();
    await page.getByRole('status').filter({ hasText: 'step seen off' }).waitFor();
    expect((await app.hooks.integrations.customerio.get(ACCOUNT.id))?.step_seen).toBe(false);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
    await context.close();
  });

  it('should not let a viewer change anything', async () => {
    const context = await newContext(browser, userHeader('viewer', ACCOUNT.id));
    const { page } = await openPage(context);
    await page.goto(`${app.dashboardUrl}integrations`);
    const toggle = page.getByLabel('Step Seen events');
    await toggle.waitFor();
    expect(await toggle.isDisabled()).toBe(true);
    const res = await request(app.app)
      .patch(`${DASHBOARD_PATH}/api/integrations/customerio`)
      .set(userHeader('viewer', ACCOUNT.id))
      .set('x-chameleon-dashboard', '1')
      .send({ step_seen: true });
    expect(res.status).toBe(403);
    expect((await app.hooks.integrations.customerio.get(ACCOUNT.id))?.step_seen).toBe(false);
    await context.close();
  });

  it('should say when Customer.io is not connected', async () => {
    const context = await newContext(browser, userHeader('admin', OTHER_ACCOUNT.id));
    const { page } = await openPage(context);
    await page.goto(`${app.dashboardUrl}integrations`);
    await page.getByText('Customer.io is not connected for this account.').waitFor();
    await context.close();
  });

  it.each([
    [{ api_key: 'x' }],
    [{ step_seen: 'yes' }],
    [{}],
    [{ site_id: 'other' }],
  ])('should refuse the toggle body %j with 422 and change nothing', async (body) => {
    const res = await request(app.app)
      .patch(`${DASHBOARD_PATH}/api/integrations/customerio`)
      .set(userHeader('admin', ACCOUNT.id))
      .set('x-chameleon-dashboard', '1')
      .send(body);
    expect(res.status).toBe(422);
    expect((await app.hooks.integrations.customerio.get(ACCOUNT.id))?.site_id).toBe('site-123');
  });
});
