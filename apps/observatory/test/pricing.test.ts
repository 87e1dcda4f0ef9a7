import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRetention, claudeSettingsPath } from '../src/ingest/retention-check.js';
import { costOf, loadPriceTable, PRICES, priceOf, splitAbove } from '../src/usage/pricing.js';
import { tempDir } from './helpers.js';

describe('the price table', () => {
  it('says where its prices come from and when', () => {
    expect(PRICES.version).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(PRICES.source).toMatch(/anthropic/i);
  });

  it('finds a model by its id or its dated id, and nothing else', () => {
    expect(priceOf('claude-sonnet-4-5-20250929')?.id).toBe('claude-sonnet-4-5');
    expect(priceOf('claude-opus-4-6')?.input).toBe(5);
    expect(priceOf('claude-opus-4-6-fast')).toBeUndefined();
    expect(priceOf('acme-model-9')).toBeUndefined();
  });

  it('prices the part of a count above the long-context threshold at its own rate', () => {
    const sonnet = priceOf('claude-sonnet-4-5')!;
    const tokens = {
      input: 250_000,
      output: 1_000,
      cacheWrite5m: 0,
      cacheWrite1h: 10,
      cacheRead: 0,
    };
    const cost = costOf(sonnet, tokens, splitAbove(tokens));
    expect(cost).toBeCloseTo((200_000 * 3 + 50_000 * 6 + 1_000 * 15 + 10 * 6) / 1e6, 12);
  });

  it('refuses a table with a missing rate', () => {
    expect(() =>
      loadPriceTable(
        JSON.stringify({
          version: 'x',
          source: 'y',
          longContextAbove: 1,
          models: [{ id: 'm', input: 1 }],
        }),
      ),
    ).toThrow('the price of m has no valid output rate');
  });
});

describe("the check of Claude Code's cleanupPeriodDays", () => {
  const temp = tempDir();
  const settings = join(temp.dir, 'settings.json');

  it('finds settings.json beside projects/', () => {
    expect(claudeSettingsPath('/home/u/.claude/projects')).toBe('/home/u/.claude/settings.json');
  });

  it('warns when unset or 30 days or less, not when longer', () => {
    expect(checkRetention(settings).warning).toMatch(
      /older than 30 days \(cleanupPeriodDays is unset\)/,
    );
    writeFileSync(settings, JSON.stringify({ cleanupPeriodDays: 14 }));
    expect(checkRetention(settings)).toMatchObject({
      cleanupPeriodDays: 14,
      warning: expect.stringMatching(/older than 14 days/),
    });
    writeFileSync(settings, JSON.stringify({ cleanupPeriodDays: 365 }));
    expect(checkRetention(settings)).toMatchObject({ cleanupPeriodDays: 365, warning: null });
    writeFileSync(settings, '{ not json');
    expect(checkRetention(settings).warning).toMatch(/could not read/);
    temp.cleanup();
  });
});
