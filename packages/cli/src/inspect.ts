import { readShmCounters } from '@walkeeper/core/plugin-kit';
import { checkDatabaseFile, sizeOf } from './database-file.js';
import {
  type DatabaseHeader,
  parseDatabaseHeader,
  parseWalHeader,
  readPrefix,
  type WalHeader,
} from './database-header.js';
import { sqliteLibraryVersion } from './sqlite-library.js';

/**
 * What a database and its -wal and -shm say about themselves, read with the file system
 * alone: no SQLite connection opens the database, so inspecting it takes no lock, creates
 * no -wal or -shm and changes no byte (a read-only connection would do all three in WAL mode).
 */
export interface DatabaseSnapshot {
  path: string;
  journalMode: 'wal' | 'rollback';
  /** Undefined for an empty (0-byte) database, which SQLite treats as new. */
  header: DatabaseHeader | undefined;
  pageSize: number | undefined;
  databaseBytes: number;
  /** Pages in the database file (file size over page size). */
  pageCount: number;
  wal: {
    exists: boolean;
    bytes: number;
    header: WalHeader | undefined;
    /**
     * Frames in the log since the last reset, and frames copied back into the database, from
     * the -shm wal-index header; undefined when there is no initialised -shm (no connection
     * has the database open).
     */
    frames: number | undefined;
    backfilledFrames: number | undefined;
  };
  shm: { exists: boolean; bytes: number };
  sqlite: {
    /** The SQLite this CLI runs, used by `walkeeper checkpoint`. */
    library: string;
    /** The SQLite that last wrote the database, from its header (the application's). */
    lastWriter: string | undefined;
  };
  sampledAt: number;
}

/** Takes a snapshot of `path`; throws a `UsageError` when it is not a readable database. */
export function inspectDatabase(path: string): DatabaseSnapshot {
  const files = checkDatabaseFile(path);
  const databaseBytes = sizeOf(files.absolute) ?? 0;
  const header =
    databaseBytes > 0 ? parseDatabaseHeader(readPrefix(files.absolute, 100)) : undefined;
  const walBytes = sizeOf(files.wal);
  const shmBytes = sizeOf(files.shm);
  const walHeader = walBytes ? parseWalHeader(readPrefix(files.wal, 32)) : undefined;
  const counters = shmBytes ? readShmCounters(files.absolute) : undefined;
  const pageSize = header?.pageSize;
  return {
    path,
    journalMode: header?.journalMode ?? 'rollback',
    header,
    pageSize,
    databaseBytes,
    pageCount: pageSize ? Math.floor(databaseBytes / pageSize) : 0,
    wal: {
      exists: walBytes !== undefined,
      bytes: walBytes ?? 0,
      header: walHeader,
      frames: counters?.frames,
      backfilledFrames: counters?.backfilledFrames,
    },
    shm: { exists: shmBytes !== undefined, bytes: shmBytes ?? 0 },
    sqlite: { library: sqliteLibraryVersion(), lastWriter: header?.lastWriterVersion },
    sampledAt: Date.now(),
  };
}
