import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoDir } from '../src/demo/demo-dir.js';
import { LiveSession } from '../src/demo/live-session.js';
import { type Observatory, startObservatory } from '../src/observatory.js';
import {
  ARTIFACTS,
  CHROMIUM,
  launchChromium,
  openWatched,
  SKIP_BROWSER,
  type WatchedPage,
} from './browser.js';
import { eventually, tempDir } from './helpers.js';
import {
  HOSTILE_PROJECT,
  HOSTILE_SESSION,
  MARKER,
  PAYLOADS,
  writeHostileTranscript,
} from './hostile-transcript.js';
import { INGEST_CHART_PIXELS, INSPECT_PAGE, type PageInspection } from './in-page.js';

// The dashboard in a real browser (Debian's Chromium, headless): it loads under its strict
// Content-Security-Policy without a violation, its charts move as lines are appended to a
// transcript, a session opens with its tool calls folded, search highlights its matches, and
// a transcript full of markup and script shows as text with nothing run.

/** Where the README's screenshot comes from: `WALKEEPER_UPDATE_SCREENSHOT=1` refreshes it. */
const README_SCREENSHOT = fileURLToPath(new URL('../docs/dashboard.png', import.meta.url));

if (SKIP_BROWSER) console.warn('skipping the browser tests: WALKEEPER_SKIP_BROWSER=1');

describe.skipIf(SKIP_BROWSER)('Chromium for the browser tests', () => {
  // Its own test, so a machine without it counts a failed test, not only a failed file.
  it(`is installed at ${CHROMIUM}`, () => {
    expect(existsSync(CHROMIUM), 'apt-get install chromium, or WALKEEPER_SKIP_BROWSER=1').toBe(
      true,
    );
  });
});

describe.skipIf(SKIP_BROWSER)('the dashboard in Chromium', () => {
  const temp = tempDir();
  let observatory: Observatory;
  let browser: Browser;
  let context: BrowserContext;
  let live: LiveSession;
  let url: string;

  beforeAll(async () => {
    const demo = await buildDemoDir(join(temp.dir, 'demo'), {
      seed: 11,
      sessions: 12,
      end: Date.now(),
    });
    writeHostileTranscript(demo.root);
    live = new LiveSession({ root: demo.root, seed: 12 });
    observatory = await startObservatory({
      dir: demo.root,
      database: join(temp.dir, 'observatory.db'),
      port: 0,
      log: () => {},
    });
    await observatory.scanned;
    url = observatory.server.url;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  }, 60_000);

  afterAll(async () => {
    live?.stop();
    await browser?.close();
    await observatory?.close();
    temp.cleanup();
  });

  /** A page whose every error, CSP violation and dialog is recorded. */
  const open = (on: BrowserContext, hash = ''): Promise<WatchedPage> =>
    openWatched(on, `${url}/${hash}`);

  const ticks = async (page: Page) => Number(await page.locator('body').getAttribute('data-ticks'));

  it('loads the dashboard under its Content-Security-Policy, live', async () => {
    const { page, problems } = await open(context);
    await page.locator('#connection[data-state="live"]').waitFor();
    await eventually(async () => (await ticks(page)) >= 2, 10_000, 'two ticks');
    for (const id of ['wal', 'reads', 'writes', 'pool', 'ingest']) {
      const chart = page.locator(`#chart-${id}`);
      await expect.poll(() => chart.getAttribute('data-points')).not.toBeNull();
      expect(await chart.locator('canvas').count(), id).toBe(1);
    }
    await expect.poll(() => page.locator('#stat-health').textContent()).toBe('ok');
    expect(await page.locator('#stat-wal').textContent()).toMatch(/\d/);
    expect(await page.locator('#alerts li').count()).toBeGreaterThanOrEqual(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('moves its charts as lines are appended to a transcript', async () => {
    const { page, problems } = await open(context);
    await eventually(async () => (await ticks(page)) >= 2, 10_000, 'two ticks');
    const ingested = async () =>
      Number((await page.locator('#stat-ingest').textContent())?.replace(/,/g, ''));
    const pixels = () => page.evaluate<string>(INGEST_CHART_PIXELS);
    const points = async () => Number(await page.locator('#chart-wal').getAttribute('data-points'));
    const before = { messages: await ingested(), image: await pixels(), points: await points() };
    expect(before.messages).toBe(observatory.ingester.status().messages);

    // A few seconds of a session at work, with readers on the API meanwhile.
    const appendedBefore = live.appended;
    for (let i = 0; i < 40; i++) {
      for (let burst = i % 4; burst >= 0; burst--) live.appendBurst();
      await Promise.all([
        fetch(`${url}/api/sessions?limit=20`),
        fetch(`${url}/api/search?q=retry`),
        fetch(`${url}/api/projects`),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const appended = live.appended - appendedBefore;
    await observatory.walkeeper.checkpoint('PASSIVE');
    // Every appended line counted (and the subagent transcripts a Task call writes beside it):
    // the dashboard settles on the ingester's own count.
    await eventually(
      async () => {
        const shown = await ingested();
        return (
          shown >= before.messages + appended && shown === observatory.ingester.status().messages
        );
      },
      10_000,
      `the dashboard to count the ${appended} appended lines`,
    );
    await eventually(async () => (await points()) > before.points, 5000, 'more points');
    expect(await pixels()).not.toBe(before.image);
    await eventually(
      async () => (await page.locator('#stat-checkpoints').textContent()) !== '0',
      5000,
      'a checkpoint on the dashboard',
    );
    expect(await page.locator('#stat-reads').textContent()).toMatch(/µs|ms|—/);
    expect(problems).toEqual([]);
    const shot = join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.WALKEEPER_UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(README_SCREENSHOT, '..'), { recursive: true });
      copyFileSync(shot, README_SCREENSHOT);
    }
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  }, 60_000);

  it('opens a session: messages in order, tool calls folded, token usage shown', async () => {
    const { page, problems } = await open(context);
    await page.click('[data-nav="conversations"]');
    const project = page.locator('[data-project]', { hasText: '/home/demo/projects/' }).first();
    await project.click();
    const session = page.locator(`[data-session="${live.sessionId}"]`);
    await session.click();
    await page.locator('#messages .message').first().waitFor();
    const lines = await page
      .locator('#messages .message')
      .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-line'))));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    const toolCall = page.locator('details.tool-use').first();
    await toolCall.waitFor();
    expect(await toolCall.getAttribute('open')).toBeNull();
    expect(await toolCall.locator('summary').textContent()).toMatch(/^tool call: \w+/);
    await toolCall.locator('summary').click();
    expect(await toolCall.getAttribute('open')).toBe('');
    expect(await page.locator('.usage').first().textContent()).toMatch(
      /^tokens: [\d,]+ in · [\d,]+ out · [\d,]+ cache write · [\d,]+ cache read$/,
    );
    expect(await page.locator('#session-head table.tokens').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'session.png'), fullPage: false });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the API's reason, as text, for a session that does not exist", async () => {
    const { page, problems } = await open(context, `#/session/${encodeURIComponent('<b>gone')}`);
    await page.locator('#error:not([hidden])').waitFor();
    expect(await page.locator('#error').textContent()).toBe("no session '<b>gone'");
    expect(await page.locator('#error b').count()).toBe(0);
    // The browser logs the 404 itself; nothing else went wrong.
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
    await page.close();
  });

  it('searches, with the matches highlighted', async () => {
    const { page, problems } = await open(context, '#/search');
    await page.fill('#search-q', 'retry');
    await page.press('#search-q', 'Enter');
    await page.locator('#search-results .result').first().waitFor();
    expect(page.url()).toMatch(/#\/search\?q=retry$/);
    const marks = await page.locator('#search-results mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    for (const mark of marks) expect(mark.toLowerCase()).toMatch(/^retr/);
    // A result opens its session at the matching line.
    await page.locator('#search-results .result a').first().click();
    await page.locator('#messages .message.target').waitFor();
    expect(await page.locator('#messages .message.target').textContent()).toMatch(/retry/i);
    await page.goto(`${url}/#/search?q=retry`);
    await page.locator('#search-results mark').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'search.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  // Twice: with the Content-Security-Policy, and with the browser told to ignore it, so the
  // escaping is shown to hold on its own and the policy is a second wall, not the only one.
  for (const bypassCSP of [false, true]) {
    it(`shows a hostile transcript as text and runs none of it${bypassCSP ? ' (CSP bypassed)' : ''}`, async () => {
      const on = bypassCSP
        ? await browser.newContext({ bypassCSP: true, viewport: { width: 1360, height: 1000 } })
        : context;
      const { page, problems, dialogs } = await open(on, '#/conversations');
      const project = page.locator('[data-project]', { hasText: '<img' });
      await project.click();
      await page.locator(`[data-session="${HOSTILE_SESSION}"]`).click();
      await page.locator('#messages .message').nth(4).waitFor();
      for (const summary of await page.locator('#messages details summary').all())
        await summary.click();
      // Search for it too: snippets are built from segments, the marks from match flags.
      await page.goto(`${url}/#/search?q=${MARKER}`);
      await page.locator('#search-results mark').first().waitFor();
      expect(await page.locator('#search-results mark').first().textContent()).toBe(MARKER);
      const snippets = (await page.locator('#search-results').textContent()) ?? '';
      expect(snippets).toContain('<script>');
      expect(
        await page.locator('#search-results a', { hasText: HOSTILE_SESSION }).count(),
      ).toBeGreaterThan(0);
      await page.locator('#search-results a').first().click();
      await page.locator('#messages .message').nth(4).waitFor();
      for (const summary of await page.locator('#messages details summary').all())
        await summary.click();
      await page.mouse.move(300, 300);
      await new Promise((resolve) => setTimeout(resolve, 500));

      const found = await page.evaluate<PageInspection>(INSPECT_PAGE);
      expect(found.pwned).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(found.scripts).toEqual(['/assets/vendor/uPlot.iife.min.js', '/assets/js/app.js']);
      expect(found.handlers).toEqual([]);
      expect(found.foreign).toBe(0);
      for (const href of found.links) expect(href).toMatch(/^(#|\/(?!\/))/);
      expect(found.display).toBe('block');
      // The payloads are all there, as the text they are.
      for (const payload of PAYLOADS) expect(found.text).toContain(payload);
      expect(found.head).toContain(`<script>alert('branch')</script>`);
      expect(found.head).toContain(`/tmp/<img src=x onerror="window.__pwned = 'cwd'">`);
      await page.screenshot({
        path: join(ARTIFACTS, `hostile-transcript${bypassCSP ? '-no-csp' : ''}.png`),
        fullPage: true,
      });
      // With the policy on, nothing even tried to break it; without it, nothing could have.
      expect(problems).toEqual([]);
      await page.close();
      if (on !== context) await on.close();
      expect(HOSTILE_PROJECT).toContain('<img');
    }, 30_000);
  }
});
