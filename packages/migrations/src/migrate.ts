import { WalkeeperError } from '@walkeeper/core';
import { History } from './internal/history.js';
import { withSession } from './internal/open-session.js';
import {
  loadSource,
  resolveBoolean,
  resolveCommon,
  resolveFunction,
  resolveTo,
} from './internal/options.js';
import { checkTo, EMPTY_STATE, planRun } from './internal/plan-run.js';
import { runStep } from './internal/run-step.js';
import type { MigrationSource } from './migration.js';
import type { MigrationEvent } from './progress-event.js';
import type { MigrateResult, MigrationOutcome } from './result.js';
import type { MigrationTarget } from './target.js';

export type MigrateOptions = MigrationSource & {
  /**
   * The version to end at. Default: the newest migration. Below the newest applied version,
   * migrations above `to` are undone with their down steps, newest first (0 undoes them all).
   */
  to?: number;
  /** Plan and check only: every step is `pending`, nothing changes on disk. */
  dryRun?: boolean;
  /** The migrations table. Default `_walkeeper_migrations`. */
  table?: string;
  /** Hears each step start, commit a statement, and end. */
  onProgress?: (event: MigrationEvent) => void;
};

const KNOWN = ['dir', 'migrations', 'to', 'dryRun', 'table', 'onProgress'];

/**
 * Brings the database to `to` (default: the newest migration). Refusals (a changed, missing,
 * out-of-order, duplicate or invalid migration; an irreversible down) throw a coded error
 * before anything runs. A step that fails is rolled back and ends the run: the result says
 * which one and why (`ok: false`, `error`); the steps before it stay applied.
 */
export async function migrate(
  target: MigrationTarget,
  options: MigrateOptions,
): Promise<MigrateResult> {
  const started = performance.now();
  const { input, source, table } = resolveCommon(options, KNOWN);
  const to = resolveTo(input.to);
  const dryRun = resolveBoolean('dryRun', input.dryRun);
  const onProgress = resolveFunction<(event: MigrationEvent) => void>(
    'onProgress',
    input.onProgress,
  );
  const migrations = loadSource(source);
  checkTo(migrations, to);
  const history = new History(table);
  const emit = (event: MigrationEvent) => {
    if (onProgress === undefined) return;
    try {
      onProgress(event);
    } catch (error) {
      process.emitWarning(`walkeeper migrations: onProgress threw: ${String(error)}`, {
        code: 'WALKEEPER_MIGRATIONS_PROGRESS',
      });
    }
  };

  return withSession(target, dryRun ? 'read' : 'write', (session): MigrateResult => {
    const state = session ? session.read((tx) => history.readState(tx)) : EMPTY_STATE;
    const { plan, compiled } = planRun(migrations, state, to, table);
    const outcomes = plan.steps.map(
      (step): MigrationOutcome => ({
        version: step.version,
        name: step.name,
        direction: step.direction,
        status: 'pending',
        durationMs: 0,
        ...(step.file === undefined ? {} : { file: step.file }),
        ...(step.statements === undefined ? {} : { statements: step.statements }),
      }),
    );
    const result = (error?: WalkeeperError, reached = plan.to): MigrateResult => ({
      ok: error === undefined,
      dryRun,
      table,
      direction: plan.direction,
      from: plan.from,
      to: reached,
      migrations: outcomes,
      ...(error === undefined ? {} : { error }),
      durationMs: performance.now() - started,
    });
    if (dryRun || session === undefined || compiled.length === 0) return result();

    let failure: WalkeeperError | undefined;
    for (const [index, migration] of compiled.entries()) {
      const outcome = outcomes[index]!;
      const base = { direction: outcome.direction, version: outcome.version, name: outcome.name };
      emit({ type: 'start', ...base });
      const stepStarted = performance.now();
      try {
        const step = runStep({ session, history, emit }, migration, outcome.direction);
        outcome.status = step.status;
        outcome.durationMs = performance.now() - stepStarted;
        if (step.reason !== undefined) outcome.reason = step.reason;
        if (step.resumedAt !== undefined) outcome.resumedAt = step.resumedAt;
        emit({ type: step.status, ...base, durationMs: outcome.durationMs });
      } catch (error) {
        failure =
          error instanceof WalkeeperError
            ? error
            : new WalkeeperError('E_MIGRATION_FAILED', String(error), { cause: error });
        outcome.status = 'failed';
        outcome.durationMs = performance.now() - stepStarted;
        outcome.error = failure;
        emit({ type: 'failed', ...base, durationMs: outcome.durationMs, error: failure });
        break;
      }
    }
    const after = session.read((tx) => history.readState(tx));
    return result(failure, after.applied.at(-1)?.version ?? 0);
  });
}
