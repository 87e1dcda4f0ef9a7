import type { WalkeeperError } from '@walkeeper/core';
import { History } from './internal/history.js';
import { withSession } from './internal/open-session.js';
import { loadSource, resolveCommon } from './internal/options.js';
import { EMPTY_STATE } from './internal/plan-run.js';
import { checksumDiffers, findRefusals, resumable } from './internal/refusals.js';
import type { MigrationSource } from './migration.js';
import type { MigrationTarget } from './target.js';

export type StatusOptions = MigrationSource & {
  /** The migrations table. Default `_walkeeper_migrations`. */
  table?: string;
};

/**
 * Where one migration stands: `applied`; `pending`; `partial` (a no-transaction migration part
 * way through); `changed` (applied, but its text changed since); `missing` (applied, but not
 * among the migrations given); `out-of-order` (pending, numbered below an applied one).
 */
export type MigrationState =
  | 'applied'
  | 'pending'
  | 'partial'
  | 'changed'
  | 'missing'
  | 'out-of-order';

export interface MigrationStatusEntry {
  version: number;
  name: string;
  state: MigrationState;
  file?: string;
  /** The checksum of the text given now (null for a function, or when missing). */
  checksum: string | null;
  /** The checksum recorded when it was applied. */
  appliedChecksum?: string | null;
  appliedAt?: string;
  durationMs?: number;
  /** True when it has a down step. */
  reversible: boolean;
  /** No-transaction migrations part way through: statements done and in all. */
  statementsDone?: number;
  statements?: number;
}

export interface MigrationStatusReport {
  table: string;
  /** The newest applied version (0: none). */
  current: number;
  /** The newest version among the migrations given. */
  latest: number;
  /** Migrations a run would apply. */
  pending: number;
  migrations: MigrationStatusEntry[];
  /** What would make `migrate()` refuse to run, as the coded errors it would throw. */
  problems: WalkeeperError[];
  /** No problems and nothing pending. */
  upToDate: boolean;
}

const KNOWN = ['dir', 'migrations', 'table'];

/** Every migration, given or applied, and where it stands. Changes nothing on disk. */
export async function status(
  target: MigrationTarget,
  options: StatusOptions,
): Promise<MigrationStatusReport> {
  const { source, table } = resolveCommon(options, KNOWN);
  const migrations = loadSource(source);
  const history = new History(table);
  const state = withSession(target, 'read', (session) =>
    session ? session.read((tx) => history.readState(tx)) : EMPTY_STATE,
  );
  const applied = new Map(state.applied.map((row) => [row.version, row]));
  const progress = new Map(state.progress.map((row) => [row.version, row]));
  const current = state.applied.at(-1)?.version ?? 0;

  const entries: MigrationStatusEntry[] = migrations.map((migration) => {
    const row = applied.get(migration.version);
    const partial = progress.get(migration.version);
    const entry: MigrationStatusEntry = {
      version: migration.version,
      name: migration.name,
      state: 'pending',
      checksum: migration.checksum,
      reversible: migration.down !== undefined,
    };
    if (migration.file !== undefined) entry.file = migration.file;
    if (row) {
      entry.state = checksumDiffers(migration, row) ? 'changed' : 'applied';
      entry.appliedChecksum = row.checksum;
      entry.appliedAt = row.appliedAt;
      entry.durationMs = row.durationMs;
    } else if (partial) {
      entry.state = resumable(migration, partial) ? 'partial' : 'changed';
      entry.statementsDone = partial.statementsDone;
      entry.statements = migration.up.statements.length;
    } else if (migration.version < current) {
      entry.state = 'out-of-order';
    }
    return entry;
  });
  const given = new Set(migrations.map((m) => m.version));
  for (const row of state.applied) {
    if (given.has(row.version)) continue;
    entries.push({
      version: row.version,
      name: row.name,
      state: 'missing',
      checksum: null,
      appliedChecksum: row.checksum,
      appliedAt: row.appliedAt,
      durationMs: row.durationMs,
      reversible: false,
    });
  }
  entries.sort((a, b) => a.version - b.version);
  const problems = findRefusals(migrations, state);
  const pending = entries.filter((e) => e.state === 'pending' || e.state === 'partial').length;
  return {
    table,
    current,
    latest: migrations.at(-1)?.version ?? 0,
    pending,
    migrations: entries,
    problems,
    upToDate: problems.length === 0 && pending === 0,
  };
}
