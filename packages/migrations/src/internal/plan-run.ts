import { WalkeeperError } from '@walkeeper/core';
import type { MigrationPlan, PlannedMigration } from '../plan.js';
import type { MigrationDirection } from '../progress-event.js';
import type { CompiledMigration } from './compiled-migration.js';
import type { HistoryState } from './history.js';
import { findRefusals } from './refusals.js';

export interface PlannedRun {
  plan: MigrationPlan;
  /** The compiled migration of each step, in `plan.steps` order. */
  compiled: CompiledMigration[];
}

export const EMPTY_STATE: HistoryState = Object.freeze({ applied: [], progress: [] });

/**
 * Decides what a run does, or refuses it: up to `to` (default: the newest migration), or down
 * to `to` when it is below the newest applied version, which needs every undone migration to
 * have a down step.
 */
export function planRun(
  migrations: readonly CompiledMigration[],
  state: HistoryState,
  to: number | undefined,
  table: string,
): PlannedRun {
  const [refusal] = findRefusals(migrations, state);
  if (refusal) throw refusal;
  const applied = new Set(state.applied.map((row) => row.version));
  const progress = new Map(state.progress.map((row) => [row.version, row]));
  const from = state.applied.at(-1)?.version ?? 0;
  const target = to ?? migrations.at(-1)?.version ?? 0;

  let direction: MigrationDirection = 'up';
  let compiled: CompiledMigration[];
  if (target >= from) {
    compiled = migrations.filter((m) => !applied.has(m.version) && m.version <= target);
  } else {
    direction = 'down';
    if (state.progress.length > 0) {
      const partial = state.progress.map((row) => row.version);
      throw new WalkeeperError(
        'E_MIGRATION_INVALID',
        `Migration ${partial.join(', ')} is part way through; migrate up to finish it before ` +
          'going down.',
        { details: { reason: 'partial', versions: partial } },
      );
    }
    compiled = migrations.filter((m) => applied.has(m.version) && m.version > target).reverse();
    const irreversible = compiled.filter((m) => m.down === undefined);
    if (irreversible.length > 0) {
      throw new WalkeeperError(
        'E_MIGRATION_INVALID',
        `Going down to ${target} would undo ${irreversible.map((m) => m.label).join(', ')}, ` +
          `which ${irreversible.length === 1 ? 'has' : 'have'} no down step: irreversible. ` +
          'Nothing was run.',
        {
          details: {
            reason: 'irreversible',
            to: target,
            versions: irreversible.map((m) => m.version),
          },
        },
      );
    }
  }

  const steps = compiled.map((m): PlannedMigration => {
    const script = direction === 'up' ? m.up : m.down!;
    const step: PlannedMigration = {
      version: m.version,
      name: m.name,
      direction,
      transaction: script.transaction,
      foreignKeys: script.foreignKeysOff ? 'off' : 'unchanged',
    };
    if (m.file !== undefined) step.file = m.file;
    if (!script.transaction) {
      step.statements = script.statements.length;
      step.resumeAt = (progress.get(m.version)?.statementsDone ?? 0) + 1;
    }
    return step;
  });
  return {
    plan: { table, direction: steps.length === 0 ? 'none' : direction, from, to: target, steps },
    compiled,
  };
}

/** `to` is 0 or the version of a migration: checked before the database is even opened. */
export function checkTo(migrations: readonly CompiledMigration[], to: number | undefined): void {
  if (to !== undefined && to !== 0 && !migrations.some((m) => m.version === to)) {
    throw new WalkeeperError(
      'E_CONFIG',
      `Invalid option to: ${to} is not the version of a migration; give one of ` +
        `${migrations.map((m) => m.version).join(', ') || '(none)'}, or 0 to undo them all.`,
      { details: { option: 'to', to } },
    );
  }
}
