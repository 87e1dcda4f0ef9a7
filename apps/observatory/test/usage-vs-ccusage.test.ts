import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedSessions } from '../src/demo/demo-dir.js';
import { usageQueries } from '../src/server/usage-routes.js';
import { type UsageReport, usageReport } from '../src/usage/reports.js';
import type { UsageGroup } from '../src/usage/usage-totals.js';
import { type CcusageDay, runCcusage } from './ccusage.js';
import { FIXTURES, openTestDb, type TestDb, tempDir } from './helpers.js';

// ccusage is the reference: on the shared fixtures (real transcripts) and on generated data
// (streamed replies over several lines, resumed sessions that copy history, sidechains, a
// model without a price), the observatory's tokens per day and model equal ccusage's, and
// its cost is within 1% of it.

interface Corpus {
  name: string;
  /** Fills `<config>/projects`. */
  build(projects: string): Promise<unknown>;
}

const CORPORA: Corpus[] = [
  {
    name: 'the shared fixtures',
    build: async (projects) => cpSync(FIXTURES, join(projects, 'proj'), { recursive: true }),
  },
  {
    name: 'generated sessions',
    build: (projects) =>
      writeGeneratedSessions(projects, { seed: 7, sessions: 60, end: Date.parse('2026-03-01') }),
  },
];

type Row = UsageGroup & { period: string };

for (const corpus of CORPORA) {
  describe(`usage against ccusage: ${corpus.name}`, () => {
    const temp = tempDir();
    const config = join(temp.dir, 'claude');
    let db: TestDb;
    let ccusage: CcusageDay[];

    beforeAll(async () => {
      mkdirSync(join(config, 'projects'), { recursive: true });
      await corpus.build(join(config, 'projects'));
      db = await openTestDb(temp.dir, join(config, 'projects'));
      const [, reference] = await Promise.all([
        db.ingester.scan(),
        runCcusage(config, ['daily', '--timezone', 'UTC']),
      ]);
      ccusage = reference.daily as CcusageDay[];
    }, 120_000);
    afterAll(async () => {
      await db.close();
      temp.cleanup();
    });

    const report = (options: Partial<Parameters<typeof usageReport>[2]> = {}) =>
      usageReport(usageQueries(db.wk), 'daily', { timezone: 'UTC', mode: 'auto', ...options });

    it('has usage to compare', () => {
      expect(ccusage.length).toBeGreaterThan(0);
    });

    it('counts the same tokens per day and model', async () => {
      const ours = (await report()).daily as Row[];
      const tokens = (
        rows: {
          modelName: string;
          inputTokens: number;
          outputTokens: number;
          cacheCreationTokens: number;
          cacheReadTokens: number;
        }[],
        day: string,
      ) =>
        rows.map((m) => ({
          day,
          model: m.modelName,
          input: m.inputTokens,
          output: m.outputTokens,
          cacheCreation: m.cacheCreationTokens,
          cacheRead: m.cacheReadTokens,
        }));
      const byKey = (a: { day: string; model: string }, b: { day: string; model: string }) =>
        `${a.day} ${a.model}`.localeCompare(`${b.day} ${b.model}`);
      expect(ours.flatMap((row) => tokens(row.modelBreakdowns, row.period)).sort(byKey)).toEqual(
        ccusage.flatMap((day) => tokens(day.modelBreakdowns, day.date)).sort(byKey),
      );
      expect(ours.map((row) => [row.period, row.totalTokens])).toEqual(
        ccusage.map((day) => [day.date, day.totalTokens]),
      );
    });

    it('costs within 1% of ccusage per day and model, where the model has a price', async () => {
      const ours = (await report()).daily as Row[];
      for (const day of ccusage) {
        const row = ours.find((r) => r.period === day.date)!;
        for (const model of day.modelBreakdowns) {
          const mine = row.modelBreakdowns.find((m) => m.modelName === model.modelName)!;
          if (mine.cost === null) {
            // Unpriced: ccusage says $0; the observatory says it does not know.
            expect(row.unpricedModels).toContain(model.modelName);
            expect(model.cost).toBe(0);
            continue;
          }
          expect(
            Math.abs(mine.cost - model.cost),
            `${day.date} ${model.modelName}`,
          ).toBeLessThanOrEqual(Math.max(0.01 * model.cost, 1e-9));
        }
      }
    });

    it('agrees on the days of another time zone, and on a date range', async () => {
      const zone = 'America/New_York';
      const reference = (await runCcusage(config, ['daily', '--timezone', zone])) as {
        daily: CcusageDay[];
      };
      const ours = (await report({ timezone: zone })).daily as Row[];
      expect(ours.map((r) => [r.period, r.totalTokens])).toEqual(
        reference.daily.map((d) => [d.date, d.totalTokens]),
      );
      const days = reference.daily.map((d) => d.date);
      const since = days[Math.floor(days.length / 3)]!;
      const until = days[Math.floor((2 * days.length) / 3)]!;
      const ranged = (await runCcusage(config, [
        'daily',
        '--timezone',
        zone,
        '--since',
        since.replaceAll('-', ''),
        '--until',
        until.replaceAll('-', ''),
      ])) as { daily: CcusageDay[] };
      const mine = (await report({ timezone: zone, since, until })) as UsageReport;
      expect((mine.daily as Row[]).map((r) => [r.period, r.totalTokens])).toEqual(
        ranged.daily.map((d) => [d.date, d.totalTokens]),
      );
    });
  });
}
