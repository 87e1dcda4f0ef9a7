import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

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
