import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run.js';
import { scenarioNames } from '../src/scenarios/index.js';

// Shape only, as for the other scenarios: a short run reports every key as a positive
// number; the targets are for `pnpm bench ingest`.
describe('ingest scenario', () => {
  it('is registered', () => {
    expect(scenarioNames).toContain('ingest');
  });

  it('reports bulk and live figures', async () => {
    const { report, checks } = await runScenario('ingest', { seconds: 0.2 });
    expect(report).toMatchObject({ scenario: 'ingest', runtime: 'node' });
    const results = report.results as Record<string, number> & {
      appendToQueryableMs: Record<string, number>;
    };
    for (const key of [
      'mbPerSec',
      'messagesPerSec',
      'parseOnlyMbPerSec',
      'parseAndStoreRawMbPerSec',
      'megabytes',
      'lines',
    ])
      expect(results[key], key).toBeGreaterThan(0);
    for (const key of ['p50', 'p95', 'p99'])
      expect(results.appendToQueryableMs[key], key).toBeGreaterThan(0);
    expect(report.ratios.ingestVsParse).toBeGreaterThan(0);
    expect(report.ratios.ingestVsParseAndStoreRaw).toBeGreaterThan(0);
    expect(checks.map((check) => check.path)).toEqual([
      'ratios.ingestVsParseAndStoreRaw',
      'results.appendToQueryableMs.p95',
    ]);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
