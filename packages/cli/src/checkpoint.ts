import {
  CHECKPOINT_MODES,
  type CheckpointMode,
  type CheckpointResult,
  isSqliteError,
} from '@walkeeper/core';
import { checkpointResult, runCheckpointSync } from '@walkeeper/core/plugin-kit';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import { checkDatabaseFile, type DatabaseFiles, sizeOf } from './database-file.js';
import { parseDatabaseHeader, readPrefix } from './database-header.js';
import { UsageError } from './errors.js';

export interface CheckpointDatabaseOptions {
  mode?: CheckpointMode;
  /**
   * How long RESTART, TRUNCATE and FULL may wait for readers and writers, in milliseconds
   * (the connection's busy timeout while the checkpoint runs). While they wait they hold the
   * write lock, so this caps how long the application's writers stall. Default 200.
   */
  maxStallMs?: number;
}

/** What `walkeeper checkpoint` ran: core's result row, or why there was nothing to run. */
export type CheckpointOutcome =
  | ({ path: string; walMode: true } & CheckpointResult)
  | { path: string; walMode: false; mode: CheckpointMode };

/**
 * Runs one checkpoint on a plain read-write connection. The journal mode is never changed:
 * a database that is not in WAL mode has no log to checkpoint, and the outcome says so.
 * `busy` is never a success: the row says how far it got.
 */
export function checkpointDatabase(
  path: string,
  options: CheckpointDatabaseOptions = {},
): CheckpointOutcome {
  const mode = options.mode ?? 'PASSIVE';
  const maxStallMs = options.maxStallMs ?? 200;
  // The mode goes into the pragma's text: only the four names SQLite knows get there.
  if (!CHECKPOINT_MODES.includes(mode)) {
    throw new UsageError(
      `unknown checkpoint mode "${String(mode)}": use passive, full, restart or truncate`,
    );
  }
  if (!Number.isSafeInteger(maxStallMs) || maxStallMs < 0 || maxStallMs > 60_000) {
    throw new UsageError(`--max-stall-ms must be 0 to 60000 milliseconds, got ${maxStallMs}`);
  }
  const files = checkDatabaseFile(path);
  const header =
    (sizeOf(files.absolute) ?? 0) > 0
      ? parseDatabaseHeader(readPrefix(files.absolute, 100))
      : undefined;
  if (header?.journalMode !== 'wal') return { path, walMode: false, mode };
  try {
    return checkpointOnce(files, mode, maxStallMs);
  } catch (error) {
    if (!isSqliteError(error)) throw error;
    throw new Error(
      `the checkpoint of ${path} failed: ${error.message} (${error.code}); \`walkeeper doctor ${path}\` run as the application's user says why`,
      { cause: error },
    );
  }
}

/** Core's attempt loop and result, on a connection of the CLI's own. */
function checkpointOnce(
  files: DatabaseFiles,
  mode: CheckpointMode,
  maxStallMs: number,
): CheckpointOutcome {
  const connection = betterSqlite3().open(files.absolute, { fileMustExist: true });
  try {
    connection.pragma(`busy_timeout = ${maxStallMs}`);
    const wal = { path: files.wal, bytesBefore: sizeOf(files.wal) ?? 0 };
    const startedAt = performance.now();
    const row = runCheckpointSync(connection, { mode, maxStallMs, busyTimeoutMs: maxStallMs });
    return { path: files.path, walMode: true, ...checkpointResult(mode, row, { startedAt }, wal) };
  } finally {
    connection.close();
  }
}
