import { isSqliteError } from '../driver.js';
import { WalkeeperError, type WalkeeperErrorCode } from '../errors.js';

/** SQLite result codes that mean something about the file, with walkeeper's code for each. */
const OPEN_FAILURES: Record<string, WalkeeperErrorCode> = {
  SQLITE_NOTADB: 'E_NOT_A_DATABASE',
  SQLITE_CORRUPT: 'E_NOT_A_DATABASE',
  SQLITE_CANTOPEN: 'E_CANT_OPEN',
  SQLITE_PERM: 'E_PERMISSION',
  SQLITE_READONLY: 'E_PERMISSION',
  SQLITE_AUTH: 'E_PERMISSION',
  SQLITE_BUSY: 'E_BUSY',
  SQLITE_LOCKED: 'E_BUSY',
};

/** Translates a failure while opening `path` into a coded error that names the file. */
export function openError(error: unknown, path: string): WalkeeperError {
  if (error instanceof WalkeeperError) return error;
  if (isSqliteError(error)) {
    const primary = error.code.replace(/^(SQLITE_[A-Z]+?)(_[A-Z_]+)?$/, '$1');
    const code = OPEN_FAILURES[error.code] ?? OPEN_FAILURES[primary] ?? 'E_SQLITE';
    const what =
      code === 'E_NOT_A_DATABASE'
        ? 'is not a SQLite database (or is corrupt)'
        : code === 'E_BUSY'
          ? 'is locked by another connection'
          : 'could not be opened';
    return new WalkeeperError(code, `${path} ${what}: ${error.message} (${error.code}).`, {
      cause: error,
      sqliteCode: error.code,
      details: { path },
    });
  }
  return new WalkeeperError('E_DRIVER', `The driver failed to open ${path}: ${String(error)}`, {
    cause: error,
    details: { path },
  });
}

/**
 * Names the conditions a write can meet that are about the disk, not the SQL: SQLITE_FULL
 * becomes E_DISK_FULL naming the database (nothing of the failed transaction was kept).
 * Anything else passes through unchanged.
 */
export function writeError(
  error: unknown,
  path: string,
  what: 'write' | 'checkpoint' = 'write',
): unknown {
  if (!isSqliteError(error) || !error.code.startsWith('SQLITE_FULL')) return error;
  const outcome =
    what === 'write'
      ? 'the write was rolled back and nothing of it was kept'
      : 'the checkpoint could not copy the log into the database; the log keeps every commit';
  return new WalkeeperError(
    'E_DISK_FULL',
    `The disk holding ${path} is full: ${outcome}. Free space and try again; the open walkeeper recovers on its own.`,
    { cause: error, sqliteCode: error.code, details: { path } },
  );
}
