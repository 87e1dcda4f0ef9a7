import type { WriteTransaction } from '@walkeeper/core';

/**
 * A migration step written as code. It runs inside the migration's `BEGIN IMMEDIATE`
 * transaction and must be synchronous: return nothing, await nothing.
 */
export type MigrationFunction = (tx: WriteTransaction) => void;

/** A migration given as an object, for `migrations({ migrations: [...] })`. */
export interface MigrationDefinition {
  /** A positive integer; migrations run in ascending order. */
  version: number;
  name: string;
  /** SQL text (directives in its first lines work as in a file) or a function. */
  up: string | MigrationFunction;
  /** What undoes `up`. Without it the migration is irreversible. */
  down?: string | MigrationFunction;
  /**
   * `'off'` runs the migration with foreign keys off (set outside its transaction), checks
   * `PRAGMA foreign_key_check` before the commit and restores them: SQLite's 12-step table
   * rebuild. SQL text can say the same with `-- walkeeper:foreign-keys=off`.
   */
  foreignKeys?: 'off';
}

/** Where migrations come from: a directory of `NNNN_name.sql` files, or objects. */
export type MigrationSource =
  | { dir: string | URL; migrations?: never }
  | { migrations: readonly MigrationDefinition[]; dir?: never };
