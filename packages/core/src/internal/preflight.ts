import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WalkeeperError } from '../errors.js';

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Checks the file system before any connection opens, so bad input leaves nothing behind:
 * SQLite would otherwise create files, or turn a stray -wal into a new database's log.
 */
export function preflight(path: string): { exists: boolean } {
  const absolute = resolve(path);
  const directory = dirname(absolute);
  const dir = statSync(directory, { throwIfNoEntry: false });
  if (!dir) {
    throw new WalkeeperError(
      'E_CANT_OPEN',
      `Cannot open ${path}: the directory ${directory} does not exist.`,
      {
        details: { path, directory },
      },
    );
  }
  if (!dir.isDirectory()) {
    throw new WalkeeperError(
      'E_CANT_OPEN',
      `Cannot open ${path}: ${directory} is not a directory.`,
      {
        details: { path, directory },
      },
    );
  }
  try {
    // WAL mode creates -wal and -shm beside the database: the directory must be writable.
    accessSync(directory, constants.W_OK | constants.X_OK);
  } catch (cause) {
    throw new WalkeeperError(
      'E_PERMISSION',
      `Cannot open ${path}: the directory ${directory} is not writable, and WAL mode needs to create -wal and -shm files there.`,
      { cause, details: { path, directory } },
    );
  }
  const file = statSync(absolute, { throwIfNoEntry: false });
  const wal = statSync(`${absolute}-wal`, { throwIfNoEntry: false });
  // A -wal beside no database, or beside an empty file (SQLite's "new database"), may hold
  // committed data: opening would start a new database and closing would delete the log.
  // Beside an empty file, a -wal of at most its 32-byte header holds no frame to lose.
  const orphanWal =
    wal !== undefined && (!file || (file.isFile() && file.size === 0 && wal.size > 32));
  if (orphanWal) {
    const beside = file ? 'beside an empty database file' : 'without its database';
    throw new WalkeeperError(
      'E_CANT_OPEN',
      `Cannot open ${path}: ${path}-wal exists ${beside}. It may hold committed data; restore the database file or move the -wal away.`,
      { details: { path } },
    );
  }
  if (!file) return { exists: false };
  if (!file.isFile()) {
    throw new WalkeeperError('E_CANT_OPEN', `Cannot open ${path}: it is not a regular file.`, {
      details: { path },
    });
  }
  try {
    accessSync(absolute, constants.R_OK | constants.W_OK);
  } catch (cause) {
    throw new WalkeeperError(
      'E_PERMISSION',
      `Cannot open ${path}: the file is not readable and writable.`,
      {
        cause,
        details: { path },
      },
    );
  }
  if (file.size > 0 && !hasSqliteHeader(absolute)) {
    throw new WalkeeperError(
      'E_NOT_A_DATABASE',
      `${path} is not a SQLite database: its header is not "SQLite format 3".`,
      {
        details: { path },
      },
    );
  }
  return { exists: true };
}

function hasSqliteHeader(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(16);
    const read = readSync(fd, buffer, 0, 16, 0);
    return read === 16 && buffer.toString('latin1') === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}
