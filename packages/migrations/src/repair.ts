import { configError } from '@walkeeper/core/plugin-kit';
import { History } from './internal/history.js';
import { withSession } from './internal/open-session.js';
import { loadSource, resolveCommon } from './internal/options.js';
import { prefixChecksums } from './internal/prefix-checksums.js';
import { checksumDiffers, resumable } from './internal/refusals.js';
import type { MigrationSource } from './migration.js';
import type { MigrationTarget } from './target.js';

export type RepairOptions = MigrationSource & {
  /** Only these versions. Default: every applied migration whose text changed. */
  versions?: readonly number[];
  /** The migrations table. Default `_walkeeper_migrations`. */
  table?: string;
};

export interface RepairedMigration {
  version: number;
  name: string;
  /** `applied`: the recorded checksum was replaced; `partial`: a part-way migration's done statements were. */
  kind: 'applied' | 'partial';
  from: string | null;
  to: string | null;
}

export interface RepairResult {
  table: string;
  repaired: RepairedMigration[];
}

const KNOWN = ['dir', 'migrations', 'versions', 'table'];

/**
 * Accepts, on purpose, that applied migrations changed: records the current checksums (and
 * names) in one transaction, so `migrate()` stops refusing with `E_MIGRATION_CHECKSUM`. It
 * runs no migration. Missing or out-of-order migrations are not its business.
 */
export async function repair(
  target: MigrationTarget,
  options: RepairOptions,
): Promise<RepairResult> {
  const { input, source, table } = resolveCommon(options, KNOWN);
  const versions = input.versions;
  if (
    versions !== undefined &&
    (!Array.isArray(versions) || !versions.every((v) => Number.isSafeInteger(v) && v > 0))
  ) {
    throw configError('versions', versions, 'an array of migration versions');
  }
  const only = versions === undefined ? undefined : new Set<number>(versions);
  const migrations = loadSource(source);
  const history = new History(table);
  return withSession(target, 'read', (session) => {
    if (session === undefined) return { table, repaired: [] };
    return session.write((tx) => {
      const state = history.readState(tx);
      const byVersion = new Map(migrations.map((m) => [m.version, m]));
      const repaired: RepairedMigration[] = [];
      for (const row of state.applied) {
        const migration = byVersion.get(row.version);
        if (!migration || (only && !only.has(row.version))) continue;
        if (!checksumDiffers(migration, row) && migration.name === row.name) continue;
        history.repair(tx, row.version, migration.name, migration.checksum);
        repaired.push({
          version: row.version,
          name: migration.name,
          kind: 'applied',
          from: row.checksum,
          to: migration.checksum,
        });
      }
      for (const row of state.progress) {
        const migration = byVersion.get(row.version);
        if (!migration || (only && !only.has(row.version)) || resumable(migration, row)) continue;
        if (migration.up.transaction) continue;
        const done = Math.min(row.statementsDone, migration.up.statements.length);
        const doneChecksum = prefixChecksums(migration.up.statements)[done]!;
        history.saveProgress(tx, {
          ...row,
          name: migration.name,
          checksum: migration.checksum,
          statementsDone: done,
          doneChecksum,
          updatedAt: new Date().toISOString(),
        });
        repaired.push({
          version: row.version,
          name: migration.name,
          kind: 'partial',
          from: row.doneChecksum,
          to: doneChecksum,
        });
      }
      return { table, repaired };
    });
  });
}
