import { accessSync, constants } from 'node:fs';
import { WAL_RESET_FIX_VERSION } from '@walkeeper/core';
import { compareVersions } from '@walkeeper/core/plugin-kit';
import { type DatabaseFiles, sizeOf } from '../database-file.js';
import type { DoctorCheck, Verdict } from '../doctor.js';
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

type Heading = Pick<DoctorCheck, 'id' | 'title' | 'fix'>;
type Finding = Pick<DoctorCheck, 'verdict' | 'detail'>;
type Check = (context: DoctorContext) => DoctorCheck;

const finding =
  (verdict: Verdict) =>
  (detail: string): Finding => ({ verdict, detail });
const pass = finding('pass');
const info = finding('info');
const warn = finding('warn');
const fail = finding('fail');
const skip = finding('skip');

/** A check: what it is called and how to fix it, and what it finds. */
function check(heading: Heading, examine: (context: DoctorContext) => Finding): Check {
  return (context) => ({ ...heading, ...examine(context) });
}

/** A check that reads the database file: skipped when there is none. */
function databaseCheck(
  heading: Heading,
  examine: (snapshot: DatabaseSnapshot, context: DoctorContext) => Finding,
): Check {
  return check(heading, (context) =>
    context.snapshot ? examine(context.snapshot, context) : skip(NO_DATABASE),
  );
}

const journalMode = databaseCheck(
  {
    id: 'journal-mode',
    title: 'WAL mode',
    fix: 'Run PRAGMA journal_mode = WAL once (it is stored in the file), or open the database with walkeeper',
  },
  (snapshot) => {
    if (snapshot.journalMode === 'wal') return pass('journal_mode is wal (from the file header)');
    return fail(
      snapshot.header === undefined
        ? 'the database is empty (0 bytes): no journal mode is set yet'
        : 'journal_mode is a rollback journal (DELETE, TRUNCATE or PERSIST), not wal',
    );
  },
);

const synchronous = check(
  {
    id: 'synchronous',
    title: 'synchronous',
    fix: 'Set PRAGMA synchronous = NORMAL on every connection in WAL mode (FULL if a power cut must not lose the last commits)',
  },
  () => info('set by each connection, not stored in the file'),
);

const busyTimeout = check(
  {
    id: 'busy-timeout',
    title: 'busy timeout',
    fix: 'Set PRAGMA busy_timeout = 5000 on every connection, so a locked database waits instead of failing with SQLITE_BUSY',
  },
  () =>
    info("set by each connection, not stored in the file; SQLite's default is 0 (fail at once)"),
);

const journalSizeLimit = databaseCheck(
  {
    id: 'journal-size-limit',
    title: 'journal_size_limit',
    fix: 'Set PRAGMA journal_size_limit = 67108864 on the writer, so the -wal file shrinks back to 64 MiB after a reset',
  },
  ({ wal, pageSize }) => {
    if (wal.frames !== undefined && pageSize !== undefined) {
      const usedBytes = wal.frames === 0 ? 0 : 32 + wal.frames * (pageSize + 24);
      if (wal.bytes > 64 * MIB && wal.bytes > 2 * usedBytes) {
        return warn(
          `the -wal file is ${formatBytes(wal.bytes)} but its log holds ${wal.frames} frames (${formatBytes(usedBytes)}): it was not truncated when the log started over, so journal_size_limit is unset or large`,
        );
      }
    }
    return info(
      'set by each connection, not stored in the file; the -wal file does not suggest it is missing',
    );
  },
);

const autocheckpoint = databaseCheck(
  {
    id: 'autocheckpoint',
    title: 'autocheckpoint',
    fix: 'Leave wal_autocheckpoint at 1000, or set it to 0 only where a checkpointer runs (walkeeper strategies, or `walkeeper checkpoint` from a timer)',
  },
  ({ wal: { frames, backfilledFrames } }) => {
    if (frames !== undefined && backfilledFrames !== undefined) {
      const waiting = frames - backfilledFrames;
      if (waiting > 10 * AUTOCHECKPOINT_PAGES) {
        return warn(
          `${waiting} frames wait to be copied back, ten times SQLite's autocheckpoint of ${AUTOCHECKPOINT_PAGES} pages: autocheckpoint is off with nothing else checkpointing, or readers that always overlap starve it`,
        );
      }
    }
    return info('set by each connection, not stored in the file; the log is not piling up');
  },
);

const sqliteVersion = check(
  {
    id: 'sqlite-version',
    title: `SQLite >= ${WAL_RESET_FIX_VERSION}`,
    fix: `Upgrade the application's SQLite (better-sqlite3, Bun, or the system library) to ${WAL_RESET_FIX_VERSION} or later`,
  },
  ({ snapshot, sqliteLibrary: library }) => {
    const writer = snapshot?.sqlite.lastWriter;
    const old = [
      ...(compareVersions(library, WAL_RESET_FIX_VERSION) < 0 ? [`this CLI's ${library}`] : []),
      ...(writer !== undefined && compareVersions(writer, WAL_RESET_FIX_VERSION) < 0
        ? [`${writer}, which last wrote the database`]
        : []),
    ];
    if (old.length > 0) {
      return fail(
        `SQLite ${old.join(' and ')} is older than ${WAL_RESET_FIX_VERSION}, which fixes the WAL-reset bug that can corrupt the database`,
      );
    }
    return pass(
      `SQLite ${library} here${writer === undefined ? '' : `; ${writer} last wrote the database`}`,
    );
  },
);

const filesystem = check(
  {
    id: 'filesystem',
    title: 'local file system',
    fix: 'Keep a WAL database on a local disk that every process using it shares (not NFS, SMB, virtiofs or 9p)',
  },
  ({ files, mountsText }) => {
    const mount = mountOf(files.directory, mountsText);
    if (!mount) return skip('no /proc/mounts here to tell the file system');
    const where = `${mount.type} at ${mount.mountPoint}`;
    switch (classifyFilesystem(mount.type)) {
      case 'network':
        return fail(
          `${where} is a network file system: WAL's shared-memory index and locks do not work across hosts`,
        );
      case 'shared-folder':
        return fail(
          `${where} is a folder shared from a host into a VM: WAL's shared memory and locks are not reliable there`,
        );
      case 'fuse':
        return warn(
          `${where} is a FUSE file system: WAL needs it to support shared mmap and POSIX locks`,
        );
      default:
        return pass(where);
    }
  },
);

function writable(path: string, mode = constants.W_OK): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

function who(): string {
  return process.getuid === undefined ? 'this user' : `uid ${process.getuid()}`;
}

const directoryWritable = check(
  {
    id: 'directory-writable',
    title: 'directory writable',
    fix: "Make the directory writable for the application's user (SQLite creates -wal and -shm there)",
  },
  ({ files }) =>
    writable(files.directory, constants.W_OK | constants.X_OK)
      ? pass(`${files.directory} is writable for ${who()}`)
      : fail(
          `${files.directory} is not writable for ${who()}: SQLite cannot create -wal and -shm there`,
        ),
);

const databaseWritable = databaseCheck(
  {
    id: 'database-writable',
    title: 'database and -wal writable',
    fix: "Give the application's user write permission on the database and its -wal (chown them back after running a tool as root)",
  },
  (_, { files }) => {
    const blocked = [
      files.absolute,
      ...(sizeOf(files.wal) === undefined ? [] : [files.wal]),
    ].filter((file) => !writable(file));
    return blocked.length === 0
      ? pass(`writable for ${who()}`)
      : fail(`${blocked.join(' and ')} not writable for ${who()}`);
  },
);

const shmWritable = check(
  {
    id: 'shm-writable',
    title: '-shm writable',
    fix: "Give the application's user write permission on the -shm file, or remove it while no process has the database open",
  },
  ({ files }) => {
    if (sizeOf(files.shm) === undefined) {
      return pass('no -shm file now; SQLite creates it in the directory when a connection opens');
    }
    return writable(files.shm)
      ? pass(`writable for ${who()}`)
      : fail(
          `${files.shm} is not writable for ${who()}: every connection in WAL mode, readers too, needs to write it`,
        );
  },
);

const walSize = databaseCheck(
  {
    id: 'wal-size',
    title: 'WAL size',
    fix: 'Run `walkeeper checkpoint <db> --mode truncate`; if it stays busy, find the long-running reader that holds it',
  },
  (snapshot) => {
    const wal = snapshot.wal.bytes;
    const db = snapshot.databaseBytes;
    const detail = `-wal ${formatBytes(wal)}, database ${formatBytes(db)}`;
    if (wal > 64 * MIB && wal > 4 * db)
      return fail(`${detail}: the WAL is much larger than the database`);
    if (wal > 16 * MIB && wal > db) return warn(`${detail}: the WAL is larger than the database`);
    return pass(detail);
  },
);

const leftover = check(
  {
    id: 'leftover-wal',
    title: 'no leftover -wal',
    fix: 'Restore the database file beside its -wal, or move the -wal away; it may hold committed data, so never delete it unread',
  },
  ({ files, snapshot }) => {
    const walBytes = sizeOf(files.wal);
    if (!snapshot && walBytes !== undefined) {
      return fail(`${files.path}-wal (${formatBytes(walBytes)}) exists without its database`);
    }
    return pass('every -wal has its database');
  },
);

/** Every check, in the order the report lists them. */
export const DOCTOR_CHECKS: readonly Check[] = [
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
