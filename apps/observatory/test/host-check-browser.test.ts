import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observatory } from '../src/observatory.js';
import { launchChromium, openWatched, SKIP_BROWSER } from './browser.js';
import { observeFixture, tempDir } from './helpers.js';

// The host check in a real browser: the dashboard works at both loopback names, and a page
// whose own name resolves to 127.0.0.1 (DNS rebinding, made real with Chromium's host
// resolver rules) gets the 403 and none of the data, from the page or from its own fetches.

const REBOUND = 'rebind.attacker.example';

describe.skipIf(SKIP_BROWSER)('the host check in Chromium', () => {
  const temp = tempDir();
  let observatory: Observatory;
  let browser: Browser;

  beforeAll(async () => {
    observatory = await observeFixture(temp.dir, 'short.jsonl');
    browser = await launchChromium([
      `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1, MAP localhost 127.0.0.1`,
    ]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await observatory?.close();
    temp.cleanup();
  });

  for (const host of ['localhost', '127.0.0.1']) {
    it(`serves the dashboard, live, at ${host}`, async () => {
      const context = await browser.newContext();
      const { page, problems } = await openWatched(
        context,
        `http://${host}:${observatory.server.port}/#/conversations`,
      );
      await page.locator('#connection[data-state="live"]').waitFor();
      await page.locator('[data-project]').first().waitFor();
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('refuses a page whose name was rebound to 127.0.0.1', async () => {
    const page = await browser.newPage();
    const origin = `http://${REBOUND}:${observatory.server.port}`;
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('body').textContent()).toContain(
      `host '${REBOUND}' is not a name this observatory answers to`,
    );
    // The attacker's script runs on its own origin, which is the rebound name: it reads
    // only refusals.
    const fetched = await page.evaluate(async () => {
      const answers = [];
      for (const path of ['/api/sessions', '/api/live', '/api/search?q=hello']) {
        const answer = await fetch(path);
        answers.push({ status: answer.status, body: await answer.text() });
      }
      return answers;
    });
    for (const answer of fetched) {
      expect(answer.status).toBe(403);
      expect(answer.body).not.toContain('short');
    }
    await page.close();
  });
});
