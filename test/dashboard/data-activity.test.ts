// The Data management and Activity pages in a real Chromium: what was ingested shows, paged.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, openPage, screenshot } from './support/browser.js';
import { startDashboardApp, userHeader, type DashboardApp } from './support/dashboard-app.js';
import { ACCOUNT } from '../helpers/app.js';

let app: DashboardApp;
let browser: Browser;

async function ingest(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${app.origin}/chameleon/v3/observe/hooks/${ACCOUNT.secret}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
}

beforeAll(async () => {
  app = await startDashboardApp();
  browser = await launchBrowser();
  await ingest('profiles', { uid: 'u1', email: 'jane@example.com', plan: 'gold', $secret: 1 });
  await ingest('profiles', { uid: 'u2', deep: { b: { c: { d: 1 } } }, long_text: 'x'.repeat(900) });
  await ingest('companies', { uid: 'c1', name: 'Acme Corp' });
  await ingest('events', { uid: 'u1', name: 'Imported Leads', source: 'csv' });
  await ingest('profiles', { uid: 'u3', plan: 'silver' });
}, 60_000);

afterAll(() => browser?.close());

describe('Data management page', () => {
  it('should list profile properties with their sample values', async () => {
    const context = await newContext(browser, userHeader('viewer', ACCOUNT.id));
    const { page, problems } = await openPage(context);
    await page.goto(`${app.dashboardUrl}data`);
    await page.getByRole('cell', { name: 'plan', exact: true }).waitFor();
    await expect(page.getByText('gold', { exact: true }).count()).resolves.toBe(1);
    await screenshot(page, 'data-properties');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
    await context.close();
  });

  it('should show data warnings with reason, count and example', async () => {
    const context = await newContext(browser, userHeader('viewer', ACCOUNT.id));
    const { page, problems } = await openPage(context);
    await page.goto(`${app.dashboardUrl}data`);
    await page.getByRole('link', { name: 'Data warnings' }).click();
    await page.waitForURL(/view=warnings/);
    await page.getByRole('cell', { name: 'long_text', exact: true }).waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toMatch(/truncated/);
    expect(text).toMatch(/deep/);
    await screenshot(page, 'data-warnings');
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  });

  it('should list the event-name catalogue', async () => {
    const context = await newContext(browser, userHeader('viewer', ACCOUNT.id));
    const { page } = await openPage(context);
    await page.goto(`${app.dashboardUrl}data?view=event-names`);
    await page.getByRole('cell', { name: 'imported_leads' }).waitFor();
    expect(await page.getByRole('cell', { name: 'Imported Leads', exact: true }).count()).toBe(1);
    await context.close();
  });
});

describe('Activity page', () => {
  it('should show recent profiles newest first, and events on their tab', async () => {
    const context = await newContext(browser, userHeader('viewer', ACCOUNT.id));
    const { page, problems } = await openPage(context);
    await page.goto(`${app.dashboardUrl}activity`);
    await page.getByRole('cell', { name: 'u3', exact: true }).waitFor();
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('u3'); // the last one sent
    expect(rows.join('\n')).toContain('u2');
    await screenshot(page, 'activity');
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('cell', { name: 'Imported Leads' }).waitFor();
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  });
});

describe('keyboard and narrow windows', () => {
  it('should start with a skip link, reach every navigation link by Tab, and mark the current page', async () => {
    const context = await newContext(browser, userHeader('viewer', ACCOUNT.id));
    const { page } = await openPage(context);
    await page.goto(`${app.dashboardUrl}data`);
    await page.getByRole('cell', { name: 'plan', exact: true }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      seen.push(String(await page.evaluate('document.activeElement.textContent')));
    }
    expect(seen).toEqual(expect.arrayContaining(['Overview', 'Endpoints', 'Deliveries', 'Data management', 'Activity', 'Integrations']));
    expect(await page.getByRole('link', { name: 'Data management' }).getAttribute('aria-current')).toBe('page');
    await page.getByRole('link', { name: 'Activity' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/activity$/);
    await context.close();
  });

  it('should fit a 380 px wide window: no sideways scrolling of the page itself', async () => {
    const context = await newContext(browser, userHeader('viewer', ACCOUNT.id), 380);
    const { page, problems } = await openPage(context);
    await page.goto(`${app.dashboardUrl}activity`);
    await page.locator('tbody tr').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
    await screenshot(page, 'activity-narrow');
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  });
});
