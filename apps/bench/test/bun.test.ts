import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../src/report.js';
import type { ResultTree } from '../src/scenario.js';
import { bunBinary } from '../src/under-bun.js';
import {
  EXPECTED,
  leaf,
  STARVATION_RATIOS,
  STARVATION_RUN_KEYS,
  STARVATION_RUNS,
} from './expected-keys.js';

const run = promisify(execFile);
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const MAIN = 'src/main.ts';
const BUN = bunBinary();
/** `pnpm bench` itself: Node with tsx, which starts Bun for `--runtime bun`. */
const PNPM_BENCH = [process.execPath, '--import', 'tsx', MAIN] as const;

/** Runs the bench command and parses the JSON line, the last line of stdout. */
async function benchJson(command: readonly string[], args: readonly string[]) {
  const [file, ...before] = command;
  const { stdout } = await run(file!, [...before, ...args, '--seconds', '0.2', '--json'], {
    cwd: BENCH_DIR,
    maxBuffer: 16 * 2 ** 20,
  });
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines.at(-1)!) as BenchReport;
}

/** The SQLite version Bun itself reports: the report must name this one, not better-sqlite3's. */
async function bunSqliteVersion(): Promise<string> {
  const code =
    "import { Database } from 'bun:sqlite'; console.log(new Database(':memory:').query('SELECT sqlite_version() AS v').get().v)";
  const { stdout } = await run(BUN, ['-e', code]);
  return stdout.trim();
}

function expectReportShape(report: BenchReport, scenario: string, sqlite: string): void {
  expect(Object.keys(report)).toEqual(['scenario', 'runtime', 'sqlite', 'results', 'ratios']);
  expect(report).toMatchObject({ scenario, runtime: 'bun', sqlite });
}

// Shape only, as scenarios.test.ts is for Node: a fraction of a second under real Bun (the
// `bun` package's binary, never a system one) proves each scenario runs there end to end
// against bun:sqlite and reports the same keys. The figures are for `pnpm bench --runtime bun`.
describe('scenarios under Bun', () => {
  const sqlite = bunSqliteVersion();

  for (const [name, keys] of Object.entries(EXPECTED)) {
    // overhead goes through `pnpm bench`'s own command, so the re-run under Bun is covered too.
    const command = name === 'overhead' ? PNPM_BENCH : [BUN, MAIN];
    it(`${name} reports every key as a positive number`, async () => {
      const report = await benchJson(command, ['--runtime', 'bun', name]);
      expectReportShape(report, name, await sqlite);
      expect(report.sqlite).toMatch(/^3\.\d+\.\d+$/);
      for (const key of keys.results)
        expect(leaf(report.results, key), `results.${key}`).toBeGreaterThan(0);
      for (const key of keys.ratios) expect(report.ratios[key], `ratios.${key}`).toBeGreaterThan(0);
    });
  }

  it('starvation reports every run key and ratio, reads and writes happened', async () => {
    const report = await benchJson([BUN, MAIN], ['--runtime', 'bun', 'starvation']);
    expectReportShape(report, 'starvation', await sqlite);
    for (const run of STARVATION_RUNS) {
      const results = report.results[run] as ResultTree;
      for (const key of STARVATION_RUN_KEYS)
        expect(results[key], `results.${run}.${key}`).toBeGreaterThanOrEqual(0);
      for (const key of ['walPeakMiB', 'writeRowsPerSec', 'readQps', 'readP99Ms'])
        expect(results[key], `results.${run}.${key}`).toBeGreaterThan(0);
    }
    expect(Object.keys(report.ratios).sort()).toEqual([...STARVATION_RATIOS].sort());
    for (const key of STARVATION_RATIOS)
      expect(report.ratios[key], `ratios.${key}`).toBeGreaterThan(0);
  });

  it('refuses ingest with a usage error and exit code 2, before starting Bun', async () => {
    const failed = await run(
      PNPM_BENCH[0],
      [...PNPM_BENCH.slice(1), '--runtime', 'bun', 'ingest'],
      {
        cwd: BENCH_DIR,
      },
    ).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(/ingest scenario runs on --runtime node only/);
  });
});
