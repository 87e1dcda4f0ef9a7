import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPORT_CSP_VIOLATIONS } from './in-page.js';

/** Debian's chromium package: playwright's own browser download is not reachable from CI. */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots the browser tests save (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

/** `WALKEEPER_SKIP_BROWSER=1` skips the browser tests on a machine without Chromium. */
export const SKIP_BROWSER = process.env.WALKEEPER_SKIP_BROWSER === '1';

/**
 * Headless Chromium. A missing browser fails the tests rather than skipping them, so CI (which
 * installs it) can never pass without having run them; WALKEEPER_SKIP_BROWSER=1 opts out.
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM} (Debian: apt-get install chromium); ` +
        'set WALKEEPER_SKIP_BROWSER=1 to skip them on this machine',
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/** A page whose page errors, console errors, CSP violations and dialogs are recorded. */
export interface WatchedPage {
  page: Page;
  /** Each one a failure. */
  problems: string[];
  dialogs: string[];
}

/** Opens `url` in a new page of `context`, recording everything that went wrong on it. */
export async function openWatched(context: BrowserContext, url: string): Promise<WatchedPage> {
  const page = await context.newPage();
  // Well inside the test's own timeout, so a stuck step fails with what it waited for.
  page.setDefaultTimeout(8000);
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.exposeFunction('__cspViolation', (text: string) => problems.push(`CSP: ${text}`));
  await page.addInitScript({ content: REPORT_CSP_VIOLATIONS });
  await page.goto(url);
  return { page, problems, dialogs };
}
