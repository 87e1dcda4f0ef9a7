import { accessSync, constants, type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readPrefix, SQLITE_MAGIC } from './database-header.js';
import { UsageError } from './errors.js';

/** The files of one database: itself, its -wal and -shm, and the directory they live in. */
export interface DatabaseFiles {
  path: string;
  absolute: string;
  directory: string;
  wal: string;
  shm: string;
}

export function databaseFiles(path: string): DatabaseFiles {
  const absolute = resolve(path);
  return {
    path,
    absolute,
    directory: dirname(absolute),
    wal: `${absolute}-wal`,
    shm: `${absolute}-shm`,
  };
}

/**
 * `stat` for a path the operator gave: undefined when nothing is there, a one-line
 * `UsageError` when the path cannot be looked at (a parent is a file, or not searchable).
 */
export function statPath(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR')
      throw new UsageError(`${path} does not exist (a parent is not a directory)`);
    if (code === 'EACCES') throw new UsageError(`cannot read ${path}: permission denied`);
    throw error;
  }
}

/** Size in bytes, or undefined when the file does not exist. */
export function sizeOf(path: string): number | undefined {
  return statSync(path, { throwIfNoEntry: false })?.size;
}

/**
 * Checks with the file system alone, before anything opens it, that `path` is a readable
 * SQLite database: SQLite would otherwise create a missing file, or take a stray -wal for a
 * new database's log. Throws a one-line `UsageError` naming the problem.
 */
export function checkDatabaseFile(path: string): DatabaseFiles {
  const files = databaseFiles(path);
  const stats = statPath(path);
  if (!stats) {
    const leftover = sizeOf(files.wal) !== undefined;
    throw new UsageError(
      leftover
        ? `${path} does not exist, but ${path}-wal does: run \`walkeeper doctor ${path}\``
        : `${path} does not exist`,
    );
  }
  if (stats.isDirectory()) throw new UsageError(`${path} is a directory, not a database file`);
  if (!stats.isFile()) throw new UsageError(`${path} is not a regular file`);
  try {
    accessSync(files.absolute, constants.R_OK);
  } catch {
    throw new UsageError(`cannot read ${path}: permission denied`);
  }
  if (stats.size > 0 && readPrefix(files.absolute, 16).toString('latin1') !== SQLITE_MAGIC) {
    throw new UsageError(
      `${path} is not a SQLite database (it does not start with "SQLite format 3")`,
    );
  }
  return files;
}
