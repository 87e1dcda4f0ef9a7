import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../src/runtime.js';
import type { ResultTree, Scenario } from '../src/scenario.js';
import { pinned } from '../src/scenarios/pinned.js';
import { steady } from '../src/scenarios/steady.js';
import { withTempDir } from '../src/temp-dir.js';

const SIDE_KEYS = ['walPeakMiB', 'writeP99Ms', 'mainCpuMs', 'transactions'];

async function run(scenario: Scenario, seconds: number) {
  const runtime = await loadRuntime('node');
  return withTempDir((dir) => scenario.run({ seconds, runtime, dir, log: () => {} }));
}

// Shape only: a short run proves both sides go end to end and report every key; whether the
// targets hold is for `pnpm bench steady` and `pnpm bench pinned`.
describe('steady and pinned scenarios', () => {
  it('steady reports both sides and its two ratios', async () => {
    const outcome = await run(steady, 0.5);
    for (const side of ['raw', 'walkeeper']) {
      const results = outcome.results[side] as ResultTree;
      for (const key of SIDE_KEYS) expect(results[key], `${side}.${key}`).toBeGreaterThan(0);
    }
    expect(Object.keys(outcome.ratios).sort()).toEqual(['walPeakVsRaw', 'writeP99VsRaw']);
    for (const value of Object.values(outcome.ratios)) expect(value).toBeGreaterThan(0);
  });

  it('pinned holds a reader all run on both sides', async () => {
    const outcome = await run(pinned, 1);
    const walkeeper = outcome.results.walkeeper as ResultTree;
    for (const key of [...SIDE_KEYS, 'checkpointsPerSec', 'pinReportedAfterMs'])
      expect(walkeeper[key], key).toBeGreaterThan(0);
    expect(Object.keys(outcome.ratios).sort()).toEqual(['mainCpuVsRaw', 'writeP99VsRaw']);
    // The reader pinned the raw side too: SQLite's autocheckpoint could not restart its log.
    expect((outcome.results.raw as ResultTree).walPeakMiB).toBeGreaterThan(2);
  });
});
