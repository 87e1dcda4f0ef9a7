import { History } from './internal/history.js';
import { withSession } from './internal/open-session.js';
import { loadSource, resolveCommon, resolveTo } from './internal/options.js';
import { checkTo, EMPTY_STATE, planRun } from './internal/plan-run.js';
import type { MigrationSource } from './migration.js';
import type { MigrationDirection } from './progress-event.js';
import type { MigrationTarget } from './target.js';

export type PlanOptions = MigrationSource & {
  /** The version to end at: below the newest applied one, a down plan. Default: the newest. */
  to?: number;
  /** The migrations table. Default `_walkeeper_migrations`. */
  table?: string;
};

/** One step a run would take. */
export interface PlannedMigration {
  version: number;
  name: string;
  direction: MigrationDirection;
  file?: string;
  /** False for a no-transaction migration (statement by statement). */
  transaction: boolean;
  /** `off`: foreign keys go off around its transaction and are checked before its commit. */
  foreignKeys: 'off' | 'unchanged';
  /** No-transaction migrations: how many statements the file has. */
  statements?: number;
  /** No-transaction migrations: the statement (1-based) the run starts at; >1 resumes. */
  resumeAt?: number;
}

export interface MigrationPlan {
  table: string;
  direction: MigrationDirection | 'none';
  /** The newest applied version now (0: none). */
  from: number;
  /** The version the run would end at. */
  to: number;
  steps: PlannedMigration[];
}

const KNOWN = ['dir', 'migrations', 'to', 'table'];

/**
 * What `migrate()` would do, without doing it: the same checks and refusals, no change on disk
 * (a database file that does not exist is not created).
 */
export async function plan(target: MigrationTarget, options: PlanOptions): Promise<MigrationPlan> {
  const { input, source, table } = resolveCommon(options, KNOWN);
  const to = resolveTo(input.to);
  const migrations = loadSource(source);
  checkTo(migrations, to);
  const history = new History(table);
  return withSession(target, 'read', (session) => {
    const state = session ? session.read((tx) => history.readState(tx)) : EMPTY_STATE;
    return planRun(migrations, state, to, table).plan;
  });
}
