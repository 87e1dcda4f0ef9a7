import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoDir } from '../src/demo/demo-dir.js';
import { type Observatory, startObservatory } from '../src/observatory.js';
import { ARTIFACTS, launchChromium, openWatched, SKIP_BROWSER } from './browser.js';
import { tempDir } from './helpers.js';

// The Usage page in Chromium, on the demo data plus a session at work right now: tokens and
// cost by day and model as stacked bars, the active 5-hour block with its burn rate, the
// costliest sessions linking to their conversation, under the page's strict CSP.

const README_SCREENSHOT = fileURLToPath(new URL('../docs/usage.png', import.meta.url));
const NOW = Date.now();

/** Two calls in the last half hour: an active block. */
function activeSession(root: string): void {
  const project = join(root, '-home-demo-projects-now');
  mkdirSync(project, { recursive: true });
  const lines = [30, 10].map((minutes, i) =>
    JSON.stringify({
      type: 'assistant',
      sessionId: 'now',
      version: '2.1.39',
      requestId: `req_now_${i}`,
      timestamp: new Date(NOW - minutes * 60_000).toISOString(),
      message: {
        id: `msg_now_${i}`,
        model: 'claude-opus-4-6',
        role: 'assistant',
        content: [{ type: 'text', text: 'working on it' }],
        usage: { input_tokens: 500, output_tokens: 1500, cache_read_input_tokens: 20_000 },
      },
    }),
  );
  writeFileSync(join(project, 'now.jsonl'), `${lines.join('\n')}\n`);
}

describe.skipIf(SKIP_BROWSER)('the Usage page in Chromium', () => {
  const temp = tempDir();
  let observatory: Observatory;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    const demo = await buildDemoDir(join(temp.dir, 'demo'), { seed: 3, sessions: 30, end: NOW });
    activeSession(demo.root);
    observatory = await startObservatory({
      dir: demo.root,
      database: join(temp.dir, 'observatory.db'),
      port: 0,
      log: () => {},
    });
    await observatory.scanned;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1360, height: 1100 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await observatory?.close();
    temp.cleanup();
  });

  it('shows tokens and cost by day and model, the active block and the costliest sessions', async () => {
    const url = observatory.server.url;
    const api = async (path: string) => (await fetch(`${url}${path}`)).json();
    const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const daily = (await api(`/api/usage/daily?timezone=${timezone}`)) as {
      daily: { modelsUsed: string[] }[];
      totals: { totalTokens: number; totalCost: number };
    };
    const { page, problems } = await openWatched(context, `${url}/#/usage`);
    await page.locator('#usage-tokens-chart[data-bars]').waitFor();
    expect(Number(await page.locator('#usage-tokens-chart').getAttribute('data-bars'))).toBe(
      daily.daily.length,
    );
    // Stacked: one segment per model and day with tokens, each named on hover.
    const segments = page.locator('#usage-tokens-chart rect');
    expect(await segments.count()).toBe(daily.daily.reduce((n, d) => n + d.modelsUsed.length, 0));
    expect(await segments.first().locator('title').textContent()).toMatch(
      / · claude-[\w.-]+: [\d,]+$/,
    );
    expect(await page.locator('#usage-cost-chart rect').count()).toBeGreaterThan(0);
    const models = new Set(daily.daily.flatMap((d) => d.modelsUsed));
    expect(new Set(await page.locator('#usage-legend .key').allTextContents())).toEqual(models);
    expect(await page.locator('#usage-tokens').textContent()).toBe(
      daily.totals.totalTokens.toLocaleString('en'),
    );
    expect(await page.locator('#usage-cost').textContent()).toBe(
      `$${daily.totals.totalCost.toFixed(2)}`,
    );
    // The demo has a model without a price: the page says so instead of pricing it at $0.
    expect(await page.locator('#usage-notes').textContent()).toMatch(/without a price/);
    expect(await page.locator('#usage-block-totals').textContent()).toMatch(/^44,000 tokens · \$/);
    expect(await page.locator('#usage-burn').textContent()).toMatch(/^burn rate 2,200 tokens\/min/);
    expect(await page.locator('#usage-projection').textContent()).toMatch(
      /^projected [\d,]+ tokens/,
    );
    const rows = page.locator('#usage-sessions tr');
    expect(await rows.count()).toBe(10);
    const costs = await page.locator('#usage-sessions td:nth-child(4)').allTextContents();
    const values = costs.filter((c) => c.startsWith('$')).map((c) => Number(c.slice(1)));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    await page.screenshot({ path: join(ARTIFACTS, 'usage.png'), fullPage: true });
    if (process.env.WALKEEPER_UPDATE_SCREENSHOT === '1')
      copyFileSync(join(ARTIFACTS, 'usage.png'), README_SCREENSHOT);
    // A session opens its conversation.
    const first = await rows.first().getAttribute('data-session');
    await rows.first().locator('a').click();
    await page.locator('#messages .message').first().waitFor();
    expect(page.url()).toContain(`#/session/${encodeURIComponent(first!)}`);
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);
});
