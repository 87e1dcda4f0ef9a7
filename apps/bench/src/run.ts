import { type DriverName, type RuntimeName, UsageError } from './cli.js';
import { currentRuntime } from './current-runtime.js';
import { type BenchReport, checkTargets, type TargetCheck } from './report.js';
import { loadRuntime } from './runtime.js';
import { scenarios } from './scenarios/index.js';
import { withTempDir } from './temp-dir.js';

export interface RunOptions {
  seconds?: number;
  /** Must be the runtime of this process (loadRuntime checks); it is by default. */
  runtime?: RuntimeName;
  /** One of the runtime's drivers (cli.ts RUNTIME_DRIVERS); its default when left out. */
  driver?: DriverName;
  log?: (message: string) => void;
}

export interface RunOutcome {
  report: BenchReport;
  checks: TargetCheck[];
  summary: string;
}

/**
 * Throws a UsageError when the scenario does not measure on `runtime`. main.ts asks before it
 * starts Bun, so `--runtime bun ingest` fails at once instead of after Bun's start.
 */
export function assertRunsOn(name: string, runtime: RuntimeName): void {
  const only = scenarios.get(name)?.onlyOn;
  if (only !== undefined && only.runtime !== runtime) {
    throw new UsageError(
      `The ${name} scenario runs on --runtime ${only.runtime} only: ${only.reason}.`,
    );
  }
}

/** Runs one scenario in a fresh temp directory. The CLI and the tests both come through here. */
export async function runScenario(name: string, options: RunOptions = {}): Promise<RunOutcome> {
  const scenario = scenarios.get(name);
  if (scenario === undefined) throw new Error(`Unknown scenario "${name}".`);
  const runtimeName = options.runtime ?? currentRuntime();
  assertRunsOn(name, runtimeName);
  const runtime = await loadRuntime(runtimeName, options.driver);
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
