// Hostile data on every dashboard page, in a real Chromium: property values, property and event
// names, uids and receiver responses carrying HTML, script and javascript: URLs are shown as text;
// no script runs, no console error, no CSP violation.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, openPage, screenshot } from './support/browser.js';
import { startDashboardApp, userHeader, type DashboardApp } from './support/dashboard-app.js';
import { ACCOUNT } from '../helpers/app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { fastDelivery, topicData, until } from '../integration/support/delivery.js';

let app: DashboardApp;
let browser: Browser;
let receiver: Receiver;
const ids = { endpoint: '', delivery: '' };

/** Each payload, if it ever ran, would open a dialog (caught by the page watcher) or set a global. */
export const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(2)</script>',
  'javascript:alert(3)',
  '</textarea><script>alert(4)</script>',
  '"><svg onload=alert(5)>',
  "'-alert(6)-'",
  '{{constructor.constructor("alert(7)")()}}',
];

async function ingest(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${app.origin}/chameleon/v3/observe/hooks/${ACCOUNT.secret}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
}

beforeAll(async () => {
  app = await startDashboardApp({ delivery: fastDelivery({ retrySchedule: [60_000] }) });
  browser = await launchBrowser();
  // A receiver that answers with every payload, and headers to match.
  receiver = await startReceiver(() => ({ status: 500, headers: { 'content-type': 'text/html' }, body: HOSTILE.join('\n') }));
  for (const [i, value] of HOSTILE.entries()) {
    await ingest('profiles', { uid: value, email: `h${i}@example.com`, note: value, [value]: value, deep: { a: { b: { c: value } } }, long: value.repeat(200) });
    await ingest('companies', { uid: `c-${value}`, name: value });
    await ingest('events', { uid: value, name: value, url: value });
  }
  const endpoint = await app.hooks.endpoints.create(ACCOUNT.id, { url: `${receiver.url}${encodeURIComponent(HOSTILE[3]!)}?q=${encodeURIComponent(HOSTILE[1]!)}`, name: HOSTILE[0], topics: ['tour.started', 'ping'] });
  ids.endpoint = String(endpoint.id);
  const data = topicData('tour.started') as { profile: Record<string, unknown>; tour: Record<string, unknown> };
  data.profile.name = HOSTILE[0];
  data.tour.name = HOSTILE[3];
  const { id: webhookId } = await app.hooks.publish(ACCOUNT.id, 'tour.started', data as never);
  await until(() => receiver.requests.some((r) => r.headers['x-chameleon-id'] === webhookId), 10_000, 'the hostile delivery');
  // The receiver can hold the request before the attempt's outcome is written: wait for the list.
  let listed: Array<{ id: string }> = [];
  await until(async () => {
    const res = await fetch(`${app.dashboardUrl}api/deliveries?topic=tour.started`, { headers: userHeader('admin', ACCOUNT.id) });
    listed = ((await res.json()) as { deliveries: Array<{ id: string }> }).deliveries;
    return listed.length > 0;
  }, 30_000, 'the hostile delivery in the list');
  ids.delivery = listed[0]!.id;
  await app.hooks.integrations.customerio.set(ACCOUNT.id, { site_id: 'site-1', api_key: 'k'.repeat(20), events: { 'survey.completed': HOSTILE[1] } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
});

const PAGES: Array<[string, string]> = [
  ['overview', ''],
  ['data-properties', 'data?view=properties&kind=profile'],
  ['data-warnings', 'data?view=warnings&kind=profile'],
  ['data-event-names', 'data?view=event-names'],
  ['data-company', 'data?view=properties&kind=company'],
  ['data-event-properties', 'data?view=properties&kind=event'],
  ['activity-profiles', 'activity?kind=profiles'],
  ['activity-companies', 'activity?kind=companies'],
  ['activity-events', 'activity?kind=events'],
  ['activity-webhooks', 'activity?kind=webhooks'],
  ['integrations', 'integrations'],
  ['endpoints', 'endpoints'],
  ['endpoint-detail', 'endpoints/:endpoint'],
  ['deliveries', 'deliveries'],
  ['delivery-detail', 'deliveries/:delivery'],
];

describe('hostile data on every page', () => {
  it.each(PAGES)('should show %s with no script run, no console error and the CSP intact', async (name, path) => {
    const context = await newContext(browser, userHeader('admin', ACCOUNT.id));
    const { page, problems } = await openPage(context);
    await page.goto(`${app.dashboardUrl}${path.replace(':endpoint', ids.endpoint).replace(':delivery', ids.delivery)}`);
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForFunction('!document.querySelector(".loading")');
    await screenshot(page, `hostile-${name}`);
    // Nothing but the dashboard's own elements: no injected img, svg, script or iframe.
    expect(await page.locator('main img, main svg, main iframe, main script, body > script:not([src])').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate('document.scripts.length')).toBe(1);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
    await context.close();
  });

  it('should show the payloads themselves, as text', async () => {
    const context = await newContext(browser, userHeader('admin', ACCOUNT.id));
    const { page } = await openPage(context);
    await page.goto(`${app.dashboardUrl}activity?kind=events`);
    await page.locator('tbody tr').first().waitFor();
    const text = await page.locator('main').innerText();
    for (const value of HOSTILE) expect(text).toContain(value);
    await page.goto(`${app.dashboardUrl}data?view=event-names`);
    await page.locator('tbody tr').first().waitFor();
    expect(await page.getByRole('cell', { name: HOSTILE[0], exact: true }).count()).toBe(1);
    await page.goto(`${app.dashboardUrl}deliveries/${ids.delivery}`);
    await page.getByRole('table', { name: 'Attempts, oldest first' }).waitFor();
    const detail = await page.locator('main').innerText();
    for (const value of HOSTILE) expect(detail).toContain(value); // the receiver's answer, as text
    await context.close();
  });
});
