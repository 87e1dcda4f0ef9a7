import { accessSync, constants } from 'node:fs';
import { WAL_RESET_FIX_VERSION } from '@walkeeper/core';
import { compareVersions } from '@walkeeper/core/plugin-kit';
import { type DatabaseFiles, sizeOf } from '../database-file.js';
import type { DoctorCheck } from '../doctor.js';
import { classifyFilesystem, mountOf } from '../filesystem.js';
import type { DatabaseSnapshot } from '../inspect.js';
import { formatBytes } from './format.js';

/** What every check looks at: gathered once, from the file system alone. */
export interface DoctorContext {
  files: DatabaseFiles;
  /** Undefined when the database file does not exist (its -wal does). */
  snapshot: DatabaseSnapshot | undefined;
  /** The text of /proc/mounts; undefined where there is none. */
  mountsText: string | undefined;
  /** The SQLite this CLI runs. */
  sqliteLibrary: string;
}

/** SQLite's default `wal_autocheckpoint`, in pages. */
const AUTOCHECKPOINT_PAGES = 1000;
const MIB = 2 ** 20;

const NO_DATABASE = 'there is no database file to read';

function journalMode({ snapshot }: DoctorContext): DoctorCheck {
  const base = {
    id: 'journal-mode',
    title: 'WAL mode',
    fix: 'Run PRAGMA journal_mode = WAL once (it is stored in the file), or open the database with walkeeper',
  } as const;
  if (!snapshot) return { ...base, verdict: 'skip', detail: NO_DATABASE };
  return snapshot.journalMode === 'wal'
    ? { ...base, verdict: 'pass', detail: 'journal_mode is wal (from the file header)' }
    : {
        ...base,
        verdict: 'fail',
        detail:
          snapshot.header === undefined
            ? 'the database is empty (0 bytes): no journal mode is set yet'
            : 'journal_mode is a rollback journal (DELETE, TRUNCATE or PERSIST), not wal',
      };
}

function synchronous(): DoctorCheck {
  return {
    id: 'synchronous',
    title: 'synchronous',
    verdict: 'info',
    detail: 'set by each connection, not stored in the file',
    fix: 'Set PRAGMA synchronous = NORMAL on every connection in WAL mode (FULL if a power cut must not lose the last commits)',
  };
}

function busyTimeout(): DoctorCheck {
  return {
    id: 'busy-timeout',
    title: 'busy timeout',
    verdict: 'info',
    detail: "set by each connection, not stored in the file; SQLite's default is 0 (fail at once)",
    fix: 'Set PRAGMA busy_timeout = 5000 on every connection, so a locked database waits instead of failing with SQLITE_BUSY',
  };
}

function journalSizeLimit({ snapshot }: DoctorContext): DoctorCheck {
  const base = {
    id: 'journal-size-limit',
    title: 'journal_size_limit',
    fix: 'Set PRAGMA journal_size_limit = 67108864 on the writer, so the -wal file shrinks back to 64 MiB after a reset',
  } as const;
  if (!snapshot) return { ...base, verdict: 'skip', detail: NO_DATABASE };
  const { wal, pageSize } = snapshot;
  if (wal.frames !== undefined && pageSize !== undefined) {
    const usedBytes = wal.frames === 0 ? 0 : 32 + wal.frames * (pageSize + 24);
    if (wal.bytes > 64 * MIB && wal.bytes > 2 * usedBytes) {
      return {
        ...base,
        verdict: 'warn',
        detail: `the -wal file is ${formatBytes(wal.bytes)} but its log holds ${wal.frames} frames (${formatBytes(usedBytes)}): it was not truncated when the log started over, so journal_size_limit is unset or large`,
      };
    }
  }
  return {
    ...base,
    verdict: 'info',
    detail:
      'set by each connection, not stored in the file; the -wal file does not suggest it is missing',
  };
}

function autocheckpoint({ snapshot }: DoctorContext): DoctorCheck {
  const base = {
    id: 'autocheckpoint',
    title: 'autocheckpoint',
    fix: 'Leave wal_autocheckpoint at 1000, or set it to 0 only where a checkpointer runs (walkeeper strategies, or `walkeeper checkpoint` from a timer)',
  } as const;
  if (!snapshot) return { ...base, verdict: 'skip', detail: NO_DATABASE };
  const { frames, backfilledFrames } = snapshot.wal;
  if (frames !== undefined && backfilledFrames !== undefined) {
    const waiting = frames - backfilledFrames;
    if (waiting > 10 * AUTOCHECKPOINT_PAGES) {
      return {
        ...base,
        verdict: 'warn',
        detail: `${waiting} frames wait to be copied back, ten times SQLite's autocheckpoint of ${AUTOCHECKPOINT_PAGES} pages: autocheckpoint is off with nothing else checkpointing, or readers that always overlap starve it`,
      };
    }
  }
  return {
    ...base,
    verdict: 'info',
    detail: 'set by each connection, not stored in the file; the log is not piling up',
  };
}

function sqliteVersion({ snapshot, sqliteLibrary: library }: DoctorContext): DoctorCheck {
  const writer = snapshot?.sqlite.lastWriter;
  const old = [
    ...(compareVersions(library, WAL_RESET_FIX_VERSION) < 0 ? [`this CLI's ${library}`] : []),
    ...(writer !== undefined && compareVersions(writer, WAL_RESET_FIX_VERSION) < 0
      ? [`${writer}, which last wrote the database`]
      : []),
  ];
  const seen = `SQLite ${library} here${writer === undefined ? '' : `; ${writer} last wrote the database`}`;
  return {
    id: 'sqlite-version',
    title: `SQLite >= ${WAL_RESET_FIX_VERSION}`,
    verdict: old.length > 0 ? 'fail' : 'pass',
    detail:
      old.length > 0
        ? `SQLite ${old.join(' and ')} is older than ${WAL_RESET_FIX_VERSION}, which fixes the WAL-reset bug that can corrupt the database`
        : seen,
    fix: `Upgrade the application's SQLite (better-sqlite3, Bun, or the system library) to ${WAL_RESET_FIX_VERSION} or later`,
  };
}

function filesystem({ files, mountsText }: DoctorContext): DoctorCheck {
  const base = {
    id: 'filesystem',
    title: 'local file system',
    fix: 'Keep a WAL database on a local disk that every process using it shares (not NFS, SMB, virtiofs or 9p)',
  } as const;
  const mount = mountOf(files.directory, mountsText);
  if (!mount) {
    return { ...base, verdict: 'skip', detail: 'no /proc/mounts here to tell the file system' };
  }
  const where = `${mount.type} at ${mount.mountPoint}`;
  switch (classifyFilesystem(mount.type)) {
    case 'network':
      return {
        ...base,
        verdict: 'fail',
        detail: `${where} is a network file system: WAL's shared-memory index and locks do not work across hosts`,
      };
    case 'shared-folder':
      return {
        ...base,
        verdict: 'fail',
        detail: `${where} is a folder shared from a host into a VM: WAL's shared memory and locks are not reliable there`,
      };
    case 'fuse':
      return {
        ...base,
        verdict: 'warn',
        detail: `${where} is a FUSE file system: WAL needs it to support shared mmap and POSIX locks`,
      };
    default:
      return { ...base, verdict: 'pass', detail: `${where}` };
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function who(): string {
  return process.getuid === undefined ? 'this user' : `uid ${process.getuid()}`;
}

function directoryWritable({ files }: DoctorContext): DoctorCheck {
  const base = {
    id: 'directory-writable',
    title: 'directory writable',
    fix: "Make the directory writable for the application's user (SQLite creates -wal and -shm there)",
  } as const;
  let ok = false;
  try {
    accessSync(files.directory, constants.W_OK | constants.X_OK);
    ok = true;
  } catch {}
  return ok
    ? { ...base, verdict: 'pass', detail: `${files.directory} is writable for ${who()}` }
    : {
        ...base,
        verdict: 'fail',
        detail: `${files.directory} is not writable for ${who()}: SQLite cannot create -wal and -shm there`,
      };
}

function databaseWritable({ files, snapshot }: DoctorContext): DoctorCheck {
  const base = {
    id: 'database-writable',
    title: 'database and -wal writable',
    fix: "Give the application's user write permission on the database and its -wal (chown them back after running a tool as root)",
  } as const;
  if (!snapshot) return { ...base, verdict: 'skip', detail: NO_DATABASE };
  const blocked = [files.absolute, ...(sizeOf(files.wal) === undefined ? [] : [files.wal])].filter(
    (file) => !writable(file),
  );
  return blocked.length === 0
    ? { ...base, verdict: 'pass', detail: `writable for ${who()}` }
    : { ...base, verdict: 'fail', detail: `${blocked.join(' and ')} not writable for ${who()}` };
}

function shmWritable({ files }: DoctorContext): DoctorCheck {
  const base = {
    id: 'shm-writable',
    title: '-shm writable',
    fix: "Give the application's user write permission on the -shm file, or remove it while no process has the database open",
  } as const;
  if (sizeOf(files.shm) === undefined) {
    return {
      ...base,
      verdict: 'pass',
      detail: 'no -shm file now; SQLite creates it in the directory when a connection opens',
    };
  }
  return writable(files.shm)
    ? { ...base, verdict: 'pass', detail: `writable for ${who()}` }
    : {
        ...base,
        verdict: 'fail',
        detail: `${files.shm} is not writable for ${who()}: every connection in WAL mode, readers too, needs to write it`,
      };
}

function walSize({ snapshot }: DoctorContext): DoctorCheck {
  const base = {
    id: 'wal-size',
    title: 'WAL size',
    fix: 'Run `walkeeper checkpoint <db> --mode truncate`; if it stays busy, find the long-running reader that holds it',
  } as const;
  if (!snapshot) return { ...base, verdict: 'skip', detail: NO_DATABASE };
  const wal = snapshot.wal.bytes;
  const db = snapshot.databaseBytes;
  const detail = `-wal ${formatBytes(wal)}, database ${formatBytes(db)}`;
  if (wal > 64 * MIB && wal > 4 * db) {
    return {
      ...base,
      verdict: 'fail',
      detail: `${detail}: the WAL is much larger than the database`,
    };
  }
  if (wal > 16 * MIB && wal > db) {
    return { ...base, verdict: 'warn', detail: `${detail}: the WAL is larger than the database` };
  }
  return { ...base, verdict: 'pass', detail };
}

function leftover({ files, snapshot }: DoctorContext): DoctorCheck {
  const base = {
    id: 'leftover-wal',
    title: 'no leftover -wal',
    fix: 'Restore the database file beside its -wal, or move the -wal away; it may hold committed data, so never delete it unread',
  } as const;
  if (!snapshot && sizeOf(files.wal) !== undefined) {
    return {
      ...base,
      verdict: 'fail',
      detail: `${files.path}-wal (${formatBytes(sizeOf(files.wal) ?? 0)}) exists without its database`,
    };
  }
  return { ...base, verdict: 'pass', detail: 'every -wal has its database' };
}

/** Every check, in the order the report lists them. */
export const DOCTOR_CHECKS: readonly ((context: DoctorContext) => DoctorCheck)[] = [
  journalMode,
  synchronous,
  busyTimeout,
  journalSizeLimit,
  autocheckpoint,
  sqliteVersion,
  filesystem,
  directoryWritable,
  databaseWritable,
  shmWritable,
  walSize,
  leftover,
];
