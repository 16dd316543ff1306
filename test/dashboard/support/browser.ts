/**
 * A real Chromium (Debian's `chromium`, or `CHROMIUM_PATH`) driven by playwright-core: no
 * browser download. Each page opened through `openPage` records console errors, uncaught
 * exceptions, CSP violations and dialogs (an `alert` means injected script ran), so a test can
 * assert that none happened.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where the tests save their screenshots (ignored by git; a few are copied to docs/). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-results/dashboard/', import.meta.url));

/** The Chromium executable: `CHROMIUM_PATH`, else `chromium` on the PATH. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
}

/** Starts a headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container has no user namespaces for Chromium's sandbox.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

/** Problems a page showed. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  cspViolations: string[];
}

/** A page with its problem log. */
export interface WatchedPage {
  page: Page;
  problems: PageProblems;
}

/** A browser context whose requests carry `headers` (the tests' stand-in for a host session). */
export async function newContext(browser: Browser, headers: Record<string, string> = {}, width = 1280): Promise<BrowserContext> {
  const context = await browser.newContext({ extraHTTPHeaders: headers, viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000); // each step fails on its own, well inside the test's timeout
  return context;
}

/** Opens a page that records every console error, uncaught error, dialog and CSP violation. */
export async function openPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (/Content Security Policy/i.test(text)) problems.cspViolations.push(text);
    else problems.consoleErrors.push(text);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(String(error)));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, problems };
}

/** Saves a full-page screenshot as `name.png` in {@link SCREENSHOT_DIR}. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
