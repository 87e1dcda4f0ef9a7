import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, userPath } from './cli-args.js';
import { COST_MODES, type CostMode } from './usage/cost-modes.js';
import { WEEKDAYS, type Weekday } from './usage/periods.js';
import { REPORT_KINDS, type ReportKind } from './usage/reports.js';
import { isTimeZone, systemTimeZone } from './usage/time-zone.js';

export interface ReportArgs {
  kind: ReportKind;
  dir: string;
  database: string;
  json: boolean;
  since?: string;
  until?: string;
  timezone: string;
  project?: string;
  mode: CostMode;
  weekStart: Weekday;
  help: boolean;
}

export const REPORT_USAGE = `walkeeper observatory report: Claude Code token usage and cost, as ccusage reports it

  pnpm --filter @walkeeper/observatory report [daily|weekly|monthly|session|project|blocks] [options]

Reads what is new in the transcripts into the observatory's database (every API call once,
across sessions; transcripts Claude Code has deleted stay), then reports from it.

Options
  --dir <path>            Claude Code's projects (default: $CLAUDE_CONFIG_DIR/projects or ~/.claude/projects)
  --db <path>             the database (default: ~/.local/state/walkeeper-observatory/observatory.db)
  --json                  JSON with ccusage's field names
  -s, --since <date>      from this local day (YYYY-MM-DD or YYYYMMDD)
  -u, --until <date>      to this local day, inclusive
  -z, --timezone <zone>   IANA zone the days are counted in (default: this machine's)
  -p, --project <name>    one project (its directory name under projects/)
  -m, --mode <mode>       auto (costUSD when a line has one, else the price table), calculate, display
  -w, --start-of-week <d> weekly: the first day of a week (default: sunday)
  -h, --help              this text`;

function day(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value);
  const iso = match ? `${match[1]}-${match[2]}-${match[3]}` : '';
  if (
    !match ||
    Number.isNaN(Date.parse(`${iso}T00:00:00Z`)) ||
    new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10) !== iso
  )
    throw new UsageError(`--${name} must be a day as YYYY-MM-DD or YYYYMMDD, not '${value}'`);
  return iso;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not '${value}'`);
}

export function parseReportArgs(argv: readonly string[]): ReportArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    throw new UsageError(`one report at a time, not '${positionals.join(' ')}'`);
  const kind = positionals[0] ?? 'daily';
  if (!(REPORT_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`the report must be one of ${REPORT_KINDS.join(', ')}, not '${kind}'`);
  const config = process.env.CLAUDE_CONFIG_DIR ?? join(homedir(), '.claude');
  const dir = values.dir === undefined ? join(config, 'projects') : userPath(values.dir);
  if (!values.help && !statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`no transcripts at ${dir} (--dir to say where they are)`);
  const timezone = values.timezone ?? systemTimeZone();
  if (!isTimeZone(timezone))
    throw new UsageError(`--timezone must be an IANA time zone, not '${timezone}'`);
  const since = day('since', values.since);
  const until = day('until', values.until);
  if (since !== undefined && until !== undefined && since > until)
    throw new UsageError(`--since ${since} is after --until ${until}`);
  return {
    kind: kind as ReportKind,
    dir,
    database: userPath(
      values.db ?? join(homedir(), '.local', 'state', 'walkeeper-observatory', 'observatory.db'),
    ),
    json: values.json ?? false,
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    timezone,
    ...(values.project === undefined ? {} : { project: values.project }),
    mode: oneOf('mode', values.mode, COST_MODES, 'auto'),
    weekStart: oneOf('start-of-week', values['start-of-week'], WEEKDAYS, 'sunday'),
    help: values.help ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    strict: true,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean', short: 'j' },
      since: { type: 'string', short: 's' },
      until: { type: 'string', short: 'u' },
      timezone: { type: 'string', short: 'z' },
      project: { type: 'string', short: 'p' },
      mode: { type: 'string', short: 'm' },
      'start-of-week': { type: 'string', short: 'w' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
