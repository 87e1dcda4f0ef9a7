import { fileURLToPath } from 'node:url';
import { parseCli, UsageError, usage } from './cli.js';
import { currentRuntime } from './current-runtime.js';
import { formatJson, formatTable } from './report.js';
import { assertRunsOn, runScenario } from './run.js';
import { runUnderNode24 } from './runtimes/node24.js';
import { scenarioNames } from './scenarios/index.js';
import { runUnderBun } from './under-bun.js';

// Entry point of `pnpm bench`. A missed target does not fail the command: on a shared
// machine a miss is a figure to look at, and the table says PASS or MISS for each target.
async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseCli>;
  try {
    options = parseCli(argv, scenarioNames);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) console.error(`${error.message}\n`);
    console.error(usage(scenarioNames));
    return 2;
  }
  try {
    assertRunsOn(options.scenario, options.runtime);
    // `pnpm bench` starts in Node 20; Bun's and Node 24's figures must come from inside them,
    // so the same source file runs again there with the same arguments, and its exit code is ours.
    if (options.runtime !== currentRuntime()) {
      const entry = fileURLToPath(import.meta.url);
      if (options.runtime === 'bun') return await runUnderBun(entry, argv);
      if (options.runtime === 'node24') return await runUnderNode24(entry, argv);
    }
    const { report, checks, summary } = await runScenario(options.scenario, {
      seconds: options.seconds,
      runtime: options.runtime,
      ...(options.driver === undefined ? {} : { driver: options.driver }),
      log: (message) => console.error(message),
    });
    console.log(formatTable(report, checks, summary));
    if (options.json) console.log(formatJson(report));
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
