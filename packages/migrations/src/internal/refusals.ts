import { WalkeeperError } from '@walkeeper/core';
import type { CompiledMigration } from './compiled-migration.js';
import type { AppliedRow, HistoryState, ProgressRow } from './history.js';
import { prefixChecksums } from './prefix-checksums.js';

/**
 * Everything that makes a run refuse to start, each kind as one coded error: applied
 * migrations that are gone (E_MIGRATION_MISSING), applied ones whose text changed
 * (E_MIGRATION_CHECKSUM), new ones numbered below an applied one (E_MIGRATION_INVALID).
 * `status()` lists them; `plan()` and `migrate()` throw the first.
 */
export function findRefusals(
  migrations: readonly CompiledMigration[],
  state: HistoryState,
): WalkeeperError[] {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const refusals: WalkeeperError[] = [];

  const missing = [...state.applied, ...state.progress].filter(
    (row) => !byVersion.has(row.version),
  );
  if (missing.length > 0) refusals.push(missingError(missing));

  const changed = state.applied.flatMap((row) => {
    const migration = byVersion.get(row.version);
    return migration && checksumDiffers(migration, row) ? [{ migration, row }] : [];
  });
  if (changed.length > 0) refusals.push(checksumError(changed));

  for (const progress of state.progress) {
    const migration = byVersion.get(progress.version);
    if (migration && !resumable(migration, progress))
      refusals.push(partialChangedError(migration, progress));
  }

  const applied = new Set(state.applied.map((row) => row.version));
  const newest = state.applied.at(-1);
  if (newest !== undefined) {
    const below = migrations.filter((m) => !applied.has(m.version) && m.version < newest.version);
    if (below.length > 0) refusals.push(outOfOrderError(below, newest));
  }
  return refusals;
}

/** A function migration has no text, so there is nothing to compare. */
export function checksumDiffers(migration: CompiledMigration, row: AppliedRow): boolean {
  return (
    migration.checksum !== null && row.checksum !== null && migration.checksum !== row.checksum
  );
}

/** A part-way migration resumes only as the same no-transaction migration, its done part unedited. */
export function resumable(migration: CompiledMigration, progress: ProgressRow): boolean {
  const { up } = migration;
  if (up.transaction || progress.statementsDone > up.statements.length) return false;
  return prefixChecksums(up.statements)[progress.statementsDone] === progress.doneChecksum;
}

export function checksumError(
  changed: readonly { migration: CompiledMigration; row: AppliedRow }[],
): WalkeeperError {
  const [first] = changed;
  const { migration, row } = first!;
  const more = changed.length > 1 ? ` (and ${changed.length - 1} more)` : '';
  return new WalkeeperError(
    'E_MIGRATION_CHECKSUM',
    `${migration.label} changed after it was applied${more}: its checksum was ${row.checksum} ` +
      `when applied and is ${migration.checksum} now. Restore the applied text, or accept the ` +
      'change on purpose with repair().',
    {
      details: {
        reason: 'changed',
        version: migration.version,
        name: migration.name,
        file: migration.file ?? migration.label,
        applied: row.checksum,
        current: migration.checksum,
        changed: changed.map(({ migration: m, row: r }) => ({
          version: m.version,
          file: m.file ?? m.label,
          applied: r.checksum,
          current: m.checksum,
        })),
      },
    },
  );
}

function partialChangedError(migration: CompiledMigration, progress: ProgressRow): WalkeeperError {
  return new WalkeeperError(
    'E_MIGRATION_CHECKSUM',
    `${migration.label} is part way through (${progress.statementsDone} statements done), and ` +
      'those statements, or its no-transaction directive, changed since. Restore them to resume; ' +
      'statements not yet run may be edited freely. repair() accepts the change on purpose.',
    {
      details: {
        reason: 'partial-changed',
        version: migration.version,
        name: migration.name,
        file: migration.file ?? migration.label,
        statementsDone: progress.statementsDone,
      },
    },
  );
}

function missingError(rows: readonly { version: number; name: string }[]): WalkeeperError {
  const list = rows.map((row) => `${row.version} "${row.name}"`).join(', ');
  return new WalkeeperError(
    'E_MIGRATION_MISSING',
    `The database has migrations applied that are not among the migrations given: ${list}. ` +
      'Restore them (this code may be older than the database); walkeeper never guesses what ' +
      'a missing migration did.',
    {
      details: { reason: 'missing', missing: rows.map(({ version, name }) => ({ version, name })) },
    },
  );
}

function outOfOrderError(below: readonly CompiledMigration[], newest: AppliedRow): WalkeeperError {
  const list = below.map((m) => m.label).join(', ');
  return new WalkeeperError(
    'E_MIGRATION_INVALID',
    `${list} ${below.length === 1 ? 'is' : 'are'} not applied but numbered below ` +
      `${newest.version} "${newest.name}", which is. Renumber above ${newest.version}: ` +
      'running it now would apply migrations in a different order than elsewhere.',
    {
      details: {
        reason: 'out-of-order',
        newest: newest.version,
        versions: below.map((m) => m.version),
      },
    },
  );
}
