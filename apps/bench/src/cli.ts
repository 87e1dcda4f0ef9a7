import { parseArgs } from 'node:util';
import { currentRuntime } from './current-runtime.js';

export const RUNTIME_NAMES = ['node', 'bun', 'node24'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

export const DRIVER_NAMES = ['better-sqlite3', 'bun-sqlite', 'node-sqlite'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

/**
 * The SQLite bindings each runtime measures, its default first. better-sqlite3's addon is
 * built for the workspace's Node 20 and loads nowhere else; node:sqlite needs Node 22.16+.
 */
export const RUNTIME_DRIVERS: Readonly<Record<RuntimeName, readonly DriverName[]>> = {
  node: ['better-sqlite3'],
  bun: ['bun-sqlite'],
  node24: ['node-sqlite'],
};

export interface CliOptions {
  scenario: string;
  /** Scales the scenario's duration; undefined means the scenario's own default. */
  seconds: number | undefined;
  json: boolean;
  runtime: RuntimeName;
  /** Set by `--driver` (checked against the runtime); otherwise the runtime's default. */
  driver?: DriverName;
  /** `overhead` only: also measure walkeeper with `@walkeeper/otel` on a real SDK meter provider. */
  otel?: true;
}

/** A mistake on the command line: main prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function usage(scenarios: readonly string[]): string {
  return [
    'usage: pnpm bench <scenario> [--seconds N] [--json] [--runtime node|bun|node24] [--driver NAME] [--otel]',
    '',
    `scenarios: ${scenarios.join(', ')}`,
    '  --seconds N   measuring time of the scenario, in seconds (fractions allowed)',
    '  --json        end the output with one line of JSON: {scenario, runtime, sqlite, results, ratios}',
    '  --runtime     the JavaScript runtime and its SQLite driver (default: the one running)',
    '                bun: better-sqlite3 gives way to bun:sqlite, and the bench re-runs itself under Bun',
    '                node24: node:sqlite under the Node 24 of the `node` npm package, re-run there',
    `  --driver      the runtime's SQLite binding: ${driverChoices()} (default: the first)`,
    '  --otel        overhead: also measure walkeeper with @walkeeper/otel and a real SDK meter provider',
  ].join('\n');
}

function driverChoices(): string {
  return RUNTIME_NAMES.map((runtime) => `${runtime}: ${RUNTIME_DRIVERS[runtime].join('|')}`).join(
    ', ',
  );
}

/** Parses `<scenario> [--seconds N] [--json] [--runtime R] [--driver D]`; throws UsageError. */
export function parseCli(argv: readonly string[], scenarios: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // node:util's messages already name the bad flag; keep them, typed as a usage error.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  // pnpm passes a literal `--` through when a user types `pnpm bench -- overhead`.
  const names = positionals.filter((p) => p !== '--');
  if (names.length !== 1) {
    throw new UsageError(
      names.length === 0 ? 'Which scenario?' : `One scenario at a time, got: ${names.join(' ')}`,
    );
  }
  const scenario = names[0]!;
  if (!scenarios.includes(scenario)) throw new UsageError(`Unknown scenario "${scenario}".`);
  // Under Bun (`bun src/main.ts ...`, or main.ts re-run there) Bun is the natural default.
  const runtime = parseRuntime(values.runtime ?? currentRuntime());
  return {
    scenario,
    seconds: values.seconds === undefined ? undefined : parseSeconds(values.seconds),
    json: values.json === true,
    runtime,
    ...(values.driver === undefined ? {} : { driver: parseDriver(values.driver, runtime) }),
    ...(values.otel === true ? { otel: true as const } : {}),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      seconds: { type: 'string' },
      json: { type: 'boolean' },
      runtime: { type: 'string' },
      driver: { type: 'string' },
      otel: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(
      `--seconds takes a number of seconds above 0 and at most 3600, got "${text}".`,
    );
  }
  return seconds;
}

function parseRuntime(text: string): RuntimeName {
  const runtime = RUNTIME_NAMES.find((name) => name === text);
  if (runtime === undefined)
    throw new UsageError(`--runtime takes ${RUNTIME_NAMES.join(' or ')}, got "${text}".`);
  return runtime;
}

function parseDriver(text: string, runtime: RuntimeName): DriverName {
  const drivers = RUNTIME_DRIVERS[runtime];
  const driver = drivers.find((name) => name === text);
  if (driver === undefined) {
    const known = DRIVER_NAMES.some((name) => name === text);
    throw new UsageError(
      known
        ? `--runtime ${runtime} measures --driver ${drivers.join(' or ')}, not "${text}" (${driverChoices()}).`
        : `--driver takes ${DRIVER_NAMES.join(', ')}, got "${text}".`,
    );
  }
  return driver;
}
