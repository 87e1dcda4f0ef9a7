import type { RuntimeName } from './cli.js';
import { type BenchReport, checkTargets, type TargetCheck } from './report.js';
import { loadRuntime } from './runtime.js';
import { scenarios } from './scenarios/index.js';
import { withTempDir } from './temp-dir.js';

export interface RunOptions {
  seconds?: number;
  runtime?: RuntimeName;
  log?: (message: string) => void;
}

export interface RunOutcome {
  report: BenchReport;
  checks: TargetCheck[];
  summary: string;
}

/** Runs one scenario in a fresh temp directory. The CLI and the tests both come through here. */
export async function runScenario(name: string, options: RunOptions = {}): Promise<RunOutcome> {
  const scenario = scenarios.get(name);
  if (scenario === undefined) throw new Error(`Unknown scenario "${name}".`);
  const runtime = loadRuntime(options.runtime ?? 'node');
  const log = options.log ?? (() => {});
  const outcome = await withTempDir((dir) =>
    scenario.run({ seconds: options.seconds ?? scenario.defaultSeconds, runtime, dir, log }),
  );
  const report: BenchReport = {
    scenario: scenario.name,
    runtime: runtime.name,
    sqlite: runtime.sqliteVersion,
    results: outcome.results,
    ratios: outcome.ratios,
  };
  return { report, checks: checkTargets(report, scenario.targets), summary: scenario.summary };
}
