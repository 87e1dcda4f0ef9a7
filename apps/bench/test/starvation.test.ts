import { describe, expect, it } from 'vitest';
import { checkTargets } from '../src/report.js';
import { loadRuntime } from '../src/runtime.js';
import type { ResultTree } from '../src/scenario.js';
import { starvation, starvationScenario } from '../src/scenarios/starvation.js';
import { withTempDir } from '../src/temp-dir.js';
import {
  STARVATION_RATIOS as RATIOS,
  STARVATION_RUN_KEYS as RUN_KEYS,
  STARVATION_RUNS as RUNS,
} from './expected-keys.js';

// Shape only: half a second at a lighter load proves the three runs go end to end and report
// every key; whether the WAL starves and the targets hold is for `pnpm bench starvation`.
describe('starvation scenario', () => {
  it('reports every run key and ratio as a number of at least 0', async () => {
    const scenario = starvationScenario({
      rowsPerSecond: 4000,
      rowsPerTransaction: 20,
      clients: 20,
    });
    const runtime = await loadRuntime('node');
    const outcome = await withTempDir((dir) =>
      scenario.run({ seconds: 0.5, runtime, dir, log: () => {} }),
    );
    for (const run of RUNS) {
      const results = outcome.results[run] as ResultTree;
      for (const key of RUN_KEYS)
        expect(results[key], `results.${run}.${key}`).toBeTypeOf('number');
      for (const [key, value] of Object.entries(results)) {
        expect(value, `results.${run}.${key}`).toBeTypeOf('number');
        expect(value as number, `results.${run}.${key}`).toBeGreaterThanOrEqual(0);
      }
    }
    expect(Object.keys(outcome.ratios).sort()).toEqual([...RATIOS].sort());
    for (const key of RATIOS) expect(outcome.ratios[key], key).toBeGreaterThanOrEqual(0);
    // Every run wrote and read something, and the writer kept near its lighter pace.
    for (const run of RUNS) {
      const results = outcome.results[run] as ResultTree;
      expect(results.writeRowsPerSec, run).toBeGreaterThan(0);
      expect(results.readQps, run).toBeGreaterThan(0);
    }
    expect(JSON.parse(JSON.stringify(outcome))).toEqual(outcome);

    // Each target names a key the report has, so `pnpm bench` never prints "missing".
    const report = { scenario: 'starvation', runtime: 'node', sqlite: '', ...outcome };
    for (const check of checkTargets(report, scenario.targets))
      expect(check.value, check.path).toBeTypeOf('number');
  });

  it('is registered with the issue defaults: 10 s and the walkeeper targets', () => {
    expect(starvation.defaultSeconds).toBe(10);
    expect(starvation.targets.map((t) => t.path)).toEqual([
      'results.raw-default.walPeakMiB',
      'ratios.walPeakOverCap',
      'ratios.writeVsTarget',
      'ratios.readVsRawDefault',
      'ratios.readP99VsRawDefault',
      'results.walkeeper.eventLoopP99Ms',
    ]);
  });
});
