import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../src/report.js';
import { node24Binary } from '../src/runtimes/node24.js';
import type { ResultTree } from '../src/scenario.js';
import { EXPECTED, leaf, STARVATION_RATIOS, STARVATION_RUNS } from './expected-keys.js';

const run = promisify(execFile);
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const NODE24 = node24Binary();
/** `pnpm bench` itself: Node 20 with tsx, which starts Node 24 for `--runtime node24`. */
const PNPM_BENCH = [process.execPath, '--import', 'tsx', 'src/main.ts'] as const;
const IN_NODE24 = [NODE24, '--import', 'tsx', 'src/main.ts'] as const;
/** Two runtimes start per test (tsx under each), on a 2-core machine often shared. */
const TIMEOUT_MS = 120_000;

async function benchJson(command: readonly string[], args: readonly string[]) {
  const [file, ...before] = command;
  const { stdout } = await run(file!, [...before, ...args, '--seconds', '0.2', '--json'], {
    cwd: BENCH_DIR,
    maxBuffer: 16 * 2 ** 20,
  });
  return JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as BenchReport;
}

// Shape only, as bun.test.ts is for Bun: a fraction of a second under the `node` package's
// Node 24 proves each scenario runs there against raw node:sqlite and nodeSqlite(), with the
// same keys. The figures are for `pnpm bench --runtime node24 --driver node-sqlite`.
describe('scenarios under Node 24 with node:sqlite', () => {
  const sqlite = run(NODE24, [
    '-p',
    "new (require('node:sqlite').DatabaseSync)(':memory:').prepare('SELECT sqlite_version() AS v').get().v",
  ]).then(({ stdout }) => stdout.trim());

  for (const [name, keys] of Object.entries(EXPECTED)) {
    // overhead goes through `pnpm bench`'s own command, so the re-run under Node 24 is covered.
    const command = name === 'overhead' ? PNPM_BENCH : IN_NODE24;
    it(
      `${name} reports every key as a positive number`,
      async () => {
        const report = await benchJson(command, [
          '--runtime',
          'node24',
          '--driver',
          'node-sqlite',
          name,
        ]);
        expect(report).toMatchObject({ scenario: name, runtime: 'node24', sqlite: await sqlite });
        for (const key of keys.results)
          expect(leaf(report.results, key), `results.${key}`).toBeGreaterThan(0);
        for (const key of keys.ratios)
          expect(report.ratios[key], `ratios.${key}`).toBeGreaterThan(0);
      },
      TIMEOUT_MS,
    );
  }

  it(
    'starvation reports every run and ratio',
    async () => {
      const report = await benchJson(IN_NODE24, ['starvation']);
      expect(report).toMatchObject({ scenario: 'starvation', runtime: 'node24' });
      for (const name of STARVATION_RUNS)
        expect((report.results[name] as ResultTree).readQps, `${name}.readQps`).toBeGreaterThan(0);
      expect(Object.keys(report.ratios).sort()).toEqual([...STARVATION_RATIOS].sort());
    },
    TIMEOUT_MS,
  );

  it('refuses a driver the runtime does not measure, with exit code 2 and the choices', async () => {
    const failed = await run(
      PNPM_BENCH[0],
      [...PNPM_BENCH.slice(1), '--runtime', 'node24', '--driver', 'better-sqlite3', 'overhead'],
      { cwd: BENCH_DIR },
    ).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(/--runtime node24 measures --driver node-sqlite/);
  });
});
