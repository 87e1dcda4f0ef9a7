import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run.js';
import { scenarioNames } from '../src/scenarios/index.js';

// Shape only: a smoke run on a small corpus reports every key as a positive number; the
// targets are for `pnpm bench usage` on its 300 MB corpus.
describe('usage scenario', () => {
  it('is registered', () => {
    expect(scenarioNames).toContain('usage');
  });

  it('reports ingest, ccusage, report and incremental figures', async () => {
    const { report, checks } = await runScenario('usage', { seconds: 0.2 });
    expect(report).toMatchObject({ scenario: 'usage', runtime: 'node' });
    const results = report.results as Record<string, number>;
    for (const key of [
      'firstIngestSec',
      'ccusageDailySec',
      'reportMs',
      'incrementalSec',
      'megabytes',
      'lines',
      'calls',
    ])
      expect(results[key], key).toBeGreaterThan(0);
    for (const key of ['firstIngestVsCcusage', 'ccusageVsReport', 'incrementalVsFirst'])
      expect(report.ratios[key], key).toBeGreaterThan(0);
    expect(checks.map((check) => check.path)).toEqual([
      'ratios.firstIngestVsCcusage',
      'ratios.ccusageVsReport',
      'ratios.incrementalVsFirst',
    ]);
  }, 120_000);
});
