import type { WalkeeperError } from '@walkeeper/core';
import type { MigrationDirection } from './progress-event.js';

/**
 * What happened to one migration step in a run: `applied` (this run did it), `skipped`
 * (another process did it meanwhile), `failed` (rolled back; `error` says why) or `pending`
 * (not reached: a dry run, or after a failure).
 */
export type MigrationStatus = 'applied' | 'skipped' | 'failed' | 'pending';

export interface MigrationOutcome {
  version: number;
  name: string;
  /** `down` steps undo a migration; `applied` then means it was undone. */
  direction: MigrationDirection;
  status: MigrationStatus;
  /** Time this run spent on the step, commit included; 0 when pending. */
  durationMs: number;
  /** The up file (for migrations from a directory). */
  file?: string;
  /** Why a step was skipped. */
  reason?: string;
  /** Why a step failed: an `E_MIGRATION_FAILED` error whose `cause` is what SQLite said. */
  error?: WalkeeperError;
  /** No-transaction migrations: how many statements the file has. */
  statements?: number;
  /** No-transaction migrations: the first statement this run executed (1-based; >1 on a resume). */
  resumedAt?: number;
}

export interface MigrateResult {
  /** True when no step failed. */
  ok: boolean;
  dryRun: boolean;
  table: string;
  direction: MigrationDirection | 'none';
  /** The newest applied version before the run (0: none). */
  from: number;
  /** The newest applied version after the run; for a dry run, the version it would reach. */
  to: number;
  /** Every planned step, in the order they run. */
  migrations: MigrationOutcome[];
  /** The failure, when a step failed: the same error as that step's `error`. */
  error?: WalkeeperError;
  durationMs: number;
}
