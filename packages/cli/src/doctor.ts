import { checkDatabaseFile, databaseFiles, sizeOf, statPath } from './database-file.js';
import { readProcMounts } from './filesystem.js';
import { inspectDatabase } from './inspect.js';
import { DOCTOR_CHECKS } from './internal/doctor-checks.js';
import { sqliteLibraryVersion } from './sqlite-library.js';

/**
 * `fail`: something is wrong (exit code 1). `warn`: likely wrong, worth a look. `info`: a
 * per-connection setting the file cannot show; the fix says what to set in the application.
 * `skip`: does not apply (no database file, no /proc/mounts).
 */
export type Verdict = 'pass' | 'warn' | 'fail' | 'info' | 'skip';

export interface DoctorCheck {
  id: DoctorCheckId;
  title: string;
  verdict: Verdict;
  /** What was found. */
  detail: string;
  /** One line that says what to do (also for passing checks: how to keep it so). */
  fix: string;
}

export type DoctorCheckId =
  | 'journal-mode'
  | 'synchronous'
  | 'busy-timeout'
  | 'journal-size-limit'
  | 'autocheckpoint'
  | 'sqlite-version'
  | 'filesystem'
  | 'directory-writable'
  | 'database-writable'
  | 'shm-writable'
  | 'wal-size'
  | 'leftover-wal';

export interface DoctorReport {
  path: string;
  /** False when any check failed. */
  ok: boolean;
  counts: Record<Verdict, number>;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  /** The text of /proc/mounts (read from the system when not given). */
  mountsText?: string;
}

/**
 * Every check, read from the file system alone: nothing opens a connection, nothing is
 * written. A missing database is bad usage, unless its -wal is there: that is the leftover
 * check failing.
 */
export function runDoctor(path: string, options: DoctorOptions = {}): DoctorReport {
  const files = databaseFiles(path);
  const exists = statPath(path) !== undefined;
  const leftoverWal = !exists && sizeOf(files.wal) !== undefined;
  if (!exists && !leftoverWal) checkDatabaseFile(path);
  const context = {
    files,
    snapshot: exists ? inspectDatabase(path) : undefined,
    mountsText: options.mountsText ?? readProcMounts(),
    sqliteLibrary: sqliteLibraryVersion(),
  };
  const checks = DOCTOR_CHECKS.map((check) => check(context));
  const counts: Record<Verdict, number> = { pass: 0, warn: 0, fail: 0, info: 0, skip: 0 };
  for (const check of checks) counts[check.verdict]++;
  return { path, ok: counts.fail === 0, counts, checks };
}
