import { createRequire } from 'node:module';
import { isWalkeeperError } from '@walkeeper/core';
import { Command, CommanderError, Option } from 'commander';
import { checkpointCommand } from './commands/checkpoint.js';
import { doctorCommand } from './commands/doctor.js';
import {
  type MigrateCommandOptions,
  migrateDownCommand,
  migratePlanCommand,
  migrateStatusCommand,
  migrateUpCommand,
} from './commands/migrate.js';
import { statusCommand } from './commands/status.js';
import { watchCommand } from './commands/watch.js';
import { type ExitCode, isUsageError } from './errors.js';
import { errorJson, toJson } from './internal/json.js';
import { parseInteger, parseMode, parseSize } from './internal/parse-options.js';
import { DEFAULT_WAL_CAP_BYTES } from './snapshot-health.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

const parseWalCap = parseSize('--wal-cap', 4096);

/** `--wal-cap`, whose default the help shows as a size rather than a count of bytes. */
function walCapOption(description: string): Option {
  return new Option('--wal-cap <size>', description)
    .argParser(parseWalCap)
    .default(DEFAULT_WAL_CAP_BYTES, `${DEFAULT_WAL_CAP_BYTES / 2 ** 20}MiB`);
}
const parseStall = parseInteger('--max-stall-ms', 0, 60_000);
const parseInterval = parseInteger('--interval', 50, 3_600_000);
const parseCount = parseInteger('--count', 1, 1_000_000);
const parseTo = parseInteger('--to', 0, Number.MAX_SAFE_INTEGER);

interface MigrateFlags {
  db: string;
  dir: string;
  to?: number;
  table?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Builds the program; each action stores its exit code through `done`. */
function buildProgram(done: (code: ExitCode) => void): Command {
  const program = new Command('walkeeper')
    .description(
      'Is this SQLite database healthy, and what do I do? Works on any SQLite file, whether or not ' +
        'the application uses walkeeper. status, doctor and watch only read: they open no ' +
        'connection, take no lock and create no file.\n\n' +
        'Exit codes: 0 all is well, 1 a check failed, 2 bad usage.',
    )
    .version(version, '-v, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      outputError: (message, write) => write(oneLine(message)),
    })
    .addHelpText(
      'after',
      examples(
        'walkeeper status app.db',
        'walkeeper doctor app.db',
        'walkeeper checkpoint app.db --mode truncate --max-stall-ms 100',
        'walkeeper watch app.db --interval 500',
        'walkeeper migrate up --db app.db --dir ./migrations',
      ),
    );

  program
    .command('status')
    .summary('the WAL, the database and the health verdict')
    .description(
      'Journal mode, page size, database and WAL size, WAL frames and backfilled frames, SQLite ' +
        'versions, and the health verdict with its reasons. Exit 1 when health is not ok.',
    )
    .argument('<db>', 'the database file')
    .option('--json', 'print one JSON object')
    .addOption(walCapOption('WAL size over which health is degraded (twice: critical)'))
    .addHelpText(
      'after',
      examples(
        'walkeeper status app.db',
        'walkeeper status app.db --json | jq .health.status',
        'walkeeper status app.db --wal-cap 256MiB',
      ),
    )
    .action((db: string, flags: { json?: boolean; walCap: number }) => {
      done(statusCommand(db, { json: flags.json === true, walCapBytes: flags.walCap }));
    });

  program
    .command('checkpoint')
    .summary('run one checkpoint, with its stall capped')
    .description(
      'Runs one checkpoint and prints the result row (busy, log, checkpointed), WAL bytes before ' +
        'and after, and the duration. Opens a plain read-write connection and never changes the ' +
        'journal mode. Exit 1 when the checkpoint was busy or the database is not in WAL mode.',
    )
    .argument('<db>', 'the database file')
    .option('--mode <mode>', 'passive, full, restart or truncate', parseMode, 'PASSIVE')
    .option(
      '--max-stall-ms <ms>',
      'how long the checkpoint may wait for readers and writers (and so stall writers)',
      parseStall,
      200,
    )
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      examples(
        'walkeeper checkpoint app.db',
        'walkeeper checkpoint app.db --mode truncate --max-stall-ms 100',
        'walkeeper checkpoint app.db --mode restart --json',
      ),
    )
    .action(
      (
        db: string,
        flags: { mode: ReturnType<typeof parseMode>; maxStallMs: number; json?: boolean },
      ) => {
        done(
          checkpointCommand(db, {
            mode: flags.mode,
            maxStallMs: flags.maxStallMs,
            json: flags.json === true,
          }),
        );
      },
    );

  program
    .command('watch')
    .summary('a live view of the WAL and checkpoints, until Ctrl-C')
    .description(
      'A live view of the WAL size (with a sparkline), checkpoints seen (by backfill moving), ' +
        'and the health verdict, until Ctrl-C (exit 0). Only reads. Not on a terminal it prints ' +
        'a line per sample; with --json, one JSON object per line.',
    )
    .argument('<db>', 'the database file')
    .option('--interval <ms>', 'milliseconds between samples', parseInterval, 1000)
    .option('--count <n>', 'stop after this many samples', parseCount)
    .addOption(walCapOption('WAL size over which health is degraded'))
    .option('--json', 'print one JSON object per sample')
    .addHelpText(
      'after',
      examples(
        'walkeeper watch app.db',
        'walkeeper watch app.db --interval 250',
        'walkeeper watch app.db --json --count 60 > wal-minute.ndjson',
      ),
    )
    .action(
      async (
        db: string,
        flags: { interval: number; count?: number; walCap: number; json?: boolean },
      ) => {
        done(
          await watchCommand(db, {
            intervalMs: flags.interval,
            count: flags.count,
            walCapBytes: flags.walCap,
            json: flags.json === true,
          }),
        );
      },
    );

  program
    .command('doctor')
    .summary('every check, with a verdict and a one-line fix')
    .description(
      'Every check with a verdict and a one-line fix: WAL mode, synchronous, busy timeout, ' +
        'journal_size_limit, autocheckpoint, SQLite older than 3.51.3 (the WAL-reset bug), a ' +
        'network or shared-folder file system, write permission on the directory, the database ' +
        'and the -shm, a WAL much larger than the database, a -wal left without its database.\n\n' +
        'Run it as the user the application runs as. Exit 1 when a check fails.',
    )
    .argument('<db>', 'the database file')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      examples(
        'walkeeper doctor app.db',
        'sudo -u app walkeeper doctor /srv/app/app.db',
        'walkeeper doctor app.db --json',
      ),
    )
    .action((db: string, flags: { json?: boolean }) => {
      done(doctorCommand(db, { json: flags.json === true }));
    });

  const migrate = program
    .command('migrate')
    .summary('apply, undo, plan or list migrations')
    .description(
      'Migrations through @walkeeper/migrations: NNNN_name.sql files, each applied in its own ' +
        'BEGIN IMMEDIATE, safe with several processes. The database must exist.',
    )
    .addHelpText(
      'after',
      examples(
        'walkeeper migrate status --db app.db --dir ./migrations',
        'walkeeper migrate plan --db app.db --dir ./migrations',
        'walkeeper migrate up --db app.db --dir ./migrations',
        'walkeeper migrate down --db app.db --dir ./migrations --to 3',
      ),
    );

  const migrateCommand = (
    name: string,
    description: string,
    action: (options: MigrateCommandOptions) => Promise<ExitCode>,
    extra: { to: string; dryRun: boolean },
    lines: string[],
  ) => {
    const command = migrate
      .command(name)
      .description(description)
      .requiredOption('--db <db>', 'the database file')
      .requiredOption('--dir <dir>', 'the directory of NNNN_name.sql migration files')
      .option('--to <version>', extra.to, parseTo)
      .option('--table <name>', 'the migrations table (default _walkeeper_migrations)');
    if (extra.dryRun) command.option('--dry-run', 'check and plan only; change nothing');
    command
      .option('--json', 'print one JSON object')
      .addHelpText('after', examples(...lines))
      .action(async (flags: MigrateFlags) => {
        done(
          await action({
            db: flags.db,
            dir: flags.dir,
            to: flags.to,
            table: flags.table,
            dryRun: flags.dryRun,
            json: flags.json === true,
          }),
        );
      });
  };
  migrateCommand(
    'up',
    'Applies pending migrations, up to the newest or --to. Puts the database in WAL mode. Exit 1 when a migration fails (it is rolled back) or is refused.',
    migrateUpCommand,
    { to: 'the version to end at (default: the newest)', dryRun: true },
    [
      'walkeeper migrate up --db app.db --dir ./migrations',
      'walkeeper migrate up --db app.db --dir ./migrations --to 4 --json',
    ],
  );
  migrateCommand(
    'down',
    'Undoes migrations with their .down.sql files: the newest one, or down to --to (0: all). Exit 1 when a step fails or is refused.',
    migrateDownCommand,
    { to: 'the version to end at (default: the one before the newest applied)', dryRun: true },
    [
      'walkeeper migrate down --db app.db --dir ./migrations',
      'walkeeper migrate down --db app.db --dir ./migrations --to 0',
    ],
  );
  migrateCommand(
    'status',
    'Every migration and where it stands. Exit 1 when some are pending or would be refused.',
    migrateStatusCommand,
    { to: 'ignored by status', dryRun: false },
    [
      'walkeeper migrate status --db app.db --dir ./migrations',
      'walkeeper migrate status --db app.db --dir ./migrations --json',
    ],
  );
  migrateCommand(
    'plan',
    'The steps up (or --to) would take, running nothing.',
    migratePlanCommand,
    { to: 'the version to plan for (default: the newest)', dryRun: false },
    [
      'walkeeper migrate plan --db app.db --dir ./migrations',
      'walkeeper migrate plan --db app.db --dir ./migrations --to 0',
    ],
  );
  return program;
}

/** commander's messages start with `error: ` and may add a suggestion on a second line. */
function oneLine(message: string): string {
  const text = message
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
  return `walkeeper: ${text}\n`;
}

/** Exit 2 for what the operator can fix on the command line; 1 for anything else. */
function exitCodeOf(error: unknown): ExitCode {
  if (isUsageError(error)) return 2;
  if (isWalkeeperError(error, 'E_CONFIG')) return 2;
  return 1;
}

/** Runs the command line `argv` (without node and the script) and resolves to its exit code. */
export async function run(argv: readonly string[]): Promise<ExitCode> {
  let exitCode: ExitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = error instanceof Error ? error.message : String(error);
    if (argv.includes('--json')) {
      process.stdout.write(`${toJson({ ok: false, error: errorJson(error) })}\n`);
    }
    process.stderr.write(`walkeeper: ${message.split('\n').join(' ')}\n`);
    return exitCodeOf(error);
  }
}
