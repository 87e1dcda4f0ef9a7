import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../src/cli.js';
import { runScenario } from '../src/run.js';
import { scenarioNames } from '../src/scenarios/index.js';
import { EXPECTED, leaf, NODE_ONLY } from './expected-keys.js';

/** Scenarios whose shape needs a lighter load or more keys: each has a test file of its own. */
const TESTED_ON_THEIR_OWN = ['starvation', 'ingest', 'usage', 'steady', 'pinned'];

describe('scenarios', () => {
  it('registers exactly the scenarios these tests know', () => {
    expect([...scenarioNames].sort()).toEqual(
      [...Object.keys(EXPECTED), ...Object.keys(NODE_ONLY), ...TESTED_ON_THEIR_OWN].sort(),
    );
  });

  // Shape only: a fraction of a second proves each scenario runs end to end and reports every
  // key; timing targets are for `pnpm bench`, not for a test on a shared machine.
  for (const [name, keys] of Object.entries({ ...EXPECTED, ...NODE_ONLY })) {
    it(`${name} reports every key as a positive number`, async () => {
      const { report, checks } = await runScenario(name, { seconds: 0.2 });
      expect(Object.keys(report)).toEqual(['scenario', 'runtime', 'sqlite', 'results', 'ratios']);
      expect(report).toMatchObject({ scenario: name, runtime: 'node' });
      expect(report.sqlite).toMatch(/^3\.\d+\.\d+$/);
      for (const key of keys.results)
        expect(leaf(report.results, key), `results.${key}`).toBeGreaterThan(0);
      for (const key of keys.ratios) expect(report.ratios[key], `ratios.${key}`).toBeGreaterThan(0);
      for (const check of checks) expect(check.value, check.path).toBeTypeOf('number');
      // The JSON line must survive a round trip unchanged (no NaN, no Infinity).
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    });
  }
});

describe('command line', () => {
  it('parses a scenario with its flags', () => {
    expect(parseCli(['overhead', '--seconds', '2', '--json'], scenarioNames)).toEqual({
      scenario: 'overhead',
      seconds: 2,
      json: true,
      runtime: 'node',
    });
  });

  it.each([
    [[], /Which scenario/],
    [['nope'], /Unknown scenario "nope"/],
    [['overhead', '--seconds', '0'], /--seconds takes a number/],
    [['overhead', '--runtime', 'deno'], /--runtime takes node or bun/],
    [['overhead', '--frobnicate'], /frobnicate/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCli(argv, scenarioNames)).toThrow(UsageError);
    expect(() => parseCli(argv, scenarioNames)).toThrow(message);
  });

  it('measures Bun only inside Bun, saying how to get there', async () => {
    // bun.test.ts runs the scenarios under Bun; here, in Node, a Bun run must not start.
    const run = runScenario('overhead', { seconds: 0.2, runtime: 'bun' });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(/pnpm bench --runtime bun/);
  });

  it('keeps ingest on Node, with a usage error for Bun', async () => {
    await expect(runScenario('ingest', { seconds: 0.2, runtime: 'bun' })).rejects.toThrow(
      /ingest scenario runs on --runtime node only/,
    );
  });
});
