import type { SqliteDriver, Walkeeper } from '@walkeeper/core';

/** A database file opened for the call: a plain connection in WAL mode, closed after it. */
export interface DatabaseTarget {
  path: string;
  driver: SqliteDriver;
  /** Milliseconds to wait for another process's write lock. Default 5000. */
  busyTimeout?: number;
  /** `PRAGMA foreign_keys` while migrations run. Default true, as walkeeper's presets. */
  foreignKeys?: boolean;
}

/** An open Walkeeper: migrations run on its writer. */
export type WalkeeperTarget = Pick<Walkeeper, 'path' | 'options' | 'write'>;

/** What `migrate()`, `status()`, `plan()` and `repair()` work on. */
export type MigrationTarget = WalkeeperTarget | DatabaseTarget;
