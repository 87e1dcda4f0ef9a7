import { parseArgs } from 'node:util';
import { currentRuntime } from './current-runtime.js';

export const RUNTIME_NAMES = ['node', 'bun'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

export interface CliOptions {
  scenario: string;
  /** Scales the scenario's duration; undefined means the scenario's own default. */
  seconds: number | undefined;
  json: boolean;
  runtime: RuntimeName;
  /** `overhead` only: also measure walkeeper with `@walkeeper/otel` on a real SDK meter provider. */
  otel?: true;
}

/** A mistake on the command line: main prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function usage(scenarios: readonly string[]): string {
  return [
    'usage: pnpm bench <scenario> [--seconds N] [--json] [--runtime node|bun] [--otel]',
    '',
    `scenarios: ${scenarios.join(', ')}`,
    '  --seconds N   measuring time of the scenario, in seconds (fractions allowed)',
    '  --json        end the output with one line of JSON: {scenario, runtime, sqlite, results, ratios}',
    '  --runtime     the JavaScript runtime and its SQLite driver (default: the one running)',
    '                bun: better-sqlite3 gives way to bun:sqlite, and the bench re-runs itself under Bun',
    '  --otel        overhead: also measure walkeeper with @walkeeper/otel and a real SDK meter provider',
  ].join('\n');
}

/** Parses `<scenario> [--seconds N] [--json] [--runtime node|bun]`; throws UsageError. */
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
  return {
    scenario,
    seconds: values.seconds === undefined ? undefined : parseSeconds(values.seconds),
    json: values.json === true,
    // Under Bun (`bun src/main.ts ...`, or main.ts re-run there) Bun is the natural default.
    runtime: parseRuntime(values.runtime ?? currentRuntime()),
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
