import { basename } from 'node:path';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import {
  type DatabaseTarget,
  type MigrateResult,
  type MigrationPlan,
  type MigrationStatusReport,
  migrate,
  plan,
  status,
} from '@walkeeper/migrations';
import { checkDatabaseFile, statPath } from '../database-file.js';
import { type ExitCode, UsageError } from '../errors.js';
import { painter } from '../internal/color.js';
import { formatMs } from '../internal/format.js';
import { toJson } from '../internal/json.js';
import { printLines } from '../internal/write.js';

export interface MigrateCommandOptions {
  db: string;
  dir: string;
  to?: number | undefined;
  table?: string | undefined;
  dryRun?: boolean | undefined;
  json: boolean;
}

/** Checks the database and the directory before the migrations package opens anything. */
function prepare(options: MigrateCommandOptions): {
  target: DatabaseTarget;
  source: { dir: string; table?: string };
} {
  checkDatabaseFile(options.db);
  const dir = statPath(options.dir);
  if (!dir) throw new UsageError(`the migrations directory ${options.dir} does not exist`);
  if (!dir.isDirectory()) throw new UsageError(`${options.dir} is not a directory`);
  return {
    target: { path: options.db, driver: betterSqlite3() },
    source: { dir: options.dir, ...(options.table === undefined ? {} : { table: options.table }) },
  };
}

/** `migrate up`: to the newest migration or `--to`; exit 1 when a step failed. */
export async function migrateUpCommand(options: MigrateCommandOptions): Promise<ExitCode> {
  const { target, source } = prepare(options);
  if (options.to !== undefined) {
    const { current } = await status(target, source);
    if (options.to < current) {
      throw new UsageError(
        `--to ${options.to} is below the current version ${current}: use \`walkeeper migrate down --to ${options.to}\``,
      );
    }
  }
  const result = await migrate(target, {
    ...source,
    ...(options.to === undefined ? {} : { to: options.to }),
    dryRun: options.dryRun === true,
  });
  return printResult('up', options, result);
}

/** `migrate down`: undoes the newest applied migration, or down to `--to` (0: all of them). */
export async function migrateDownCommand(options: MigrateCommandOptions): Promise<ExitCode> {
  const { target, source } = prepare(options);
  const report = await status(target, source);
  const applied = report.migrations
    .filter((m) => m.state === 'applied' || m.state === 'changed' || m.state === 'missing')
    .map((m) => m.version);
  const to = options.to ?? applied.at(-2) ?? 0;
  if (to > report.current) {
    throw new UsageError(
      `--to ${to} is above the current version ${report.current}: use \`walkeeper migrate up --to ${to}\``,
    );
  }
  const result = await migrate(target, { ...source, to, dryRun: options.dryRun === true });
  return printResult('down', options, result);
}

/** `migrate status`: exit 0 when up to date, 1 when migrations are pending or refused. */
export async function migrateStatusCommand(options: MigrateCommandOptions): Promise<ExitCode> {
  const { target, source } = prepare(options);
  const report = await status(target, source);
  printLines(options.json ? [toJson(report)] : renderStatusReport(options.db, report));
  return report.upToDate ? 0 : 1;
}

/** `migrate plan`: what `up` (or `--to`) would run, running nothing. */
export async function migratePlanCommand(options: MigrateCommandOptions): Promise<ExitCode> {
  const { target, source } = prepare(options);
  const result = await plan(target, {
    ...source,
    ...(options.to === undefined ? {} : { to: options.to }),
  });
  printLines(options.json ? [toJson(result)] : renderPlan(options.db, result));
  return 0;
}

function printResult(
  command: 'up' | 'down',
  options: MigrateCommandOptions,
  result: MigrateResult,
): ExitCode {
  if (options.json) {
    printLines([toJson(result)]);
    return result.ok ? 0 : 1;
  }
  const paint = painter(process.stdout);
  const counts = new Map<string, number>();
  for (const step of result.migrations) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
  const tally = [...counts].map(([state, n]) => `${n} ${state}`).join(', ') || 'nothing to do';
  const dry = result.dryRun ? ' (dry run)' : '';
  const lines = [
    `migrate ${command} ${options.db}${dry}: version ${result.from} -> ${result.to}, ${tally}, in ${formatMs(result.durationMs)}`,
  ];
  for (const step of result.migrations) {
    const color = step.status === 'failed' ? 'red' : step.status === 'applied' ? 'green' : 'dim';
    const file = step.file === undefined ? '' : ` (${basename(step.file)})`;
    const time = step.status === 'applied' ? `  ${formatMs(step.durationMs)}` : '';
    lines.push(
      `  ${paint(step.status.padEnd(7), color)}  ${step.direction.padEnd(4)} ${step.version} ${step.name}${file}${time}`,
    );
    if (step.reason !== undefined) lines.push(`           ${step.reason}`);
    if (step.error !== undefined) {
      lines.push(`           ${step.error.code}: ${step.error.message}`);
      if (step.error.cause instanceof Error)
        lines.push(`           cause: ${step.error.cause.message}`);
    }
  }
  printLines(lines);
  return result.ok ? 0 : 1;
}

function renderStatusReport(db: string, report: MigrationStatusReport): string[] {
  const paint = painter(process.stdout);
  const lines = [
    `${db}: version ${report.current}, newest ${report.latest}, ${report.pending} pending${report.upToDate ? ', up to date' : ''} (table ${report.table})`,
  ];
  for (const m of report.migrations) {
    const color = m.state === 'applied' ? 'green' : m.state === 'pending' ? 'yellow' : 'red';
    const when = m.appliedAt === undefined ? '' : `  applied ${m.appliedAt}`;
    const part =
      m.statementsDone === undefined ? '' : `  ${m.statementsDone}/${m.statements} statements`;
    lines.push(`  ${paint(m.state.padEnd(12), color)} ${m.version} ${m.name}${when}${part}`);
  }
  if (report.problems.length > 0) {
    lines.push('problems (migrate would refuse to run):');
    for (const problem of report.problems) lines.push(`  ${problem.code}: ${problem.message}`);
  }
  return lines;
}

function renderPlan(db: string, result: MigrationPlan): string[] {
  if (result.steps.length === 0) return [`${db}: nothing to do, at version ${result.from}`];
  return [
    `plan for ${db}: ${result.direction} from version ${result.from} to ${result.to}`,
    ...result.steps.map((step) => {
      const notes = [
        ...(step.file === undefined ? [] : [basename(step.file)]),
        ...(step.transaction ? [] : ['no transaction']),
        ...(step.foreignKeys === 'off' ? ['foreign keys off'] : []),
        ...(step.statements === undefined ? [] : [`${step.statements} statements`]),
        ...(step.resumeAt !== undefined && step.resumeAt > 1
          ? [`resumes at ${step.resumeAt}`]
          : []),
      ];
      return `  ${step.direction.padEnd(4)} ${step.version} ${step.name}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
    }),
  ];
}
