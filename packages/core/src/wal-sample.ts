import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import type { SqliteConnection } from './driver.js';

export interface WalSample {
  /** Size of the -wal file on disk, in bytes (0 when there is none). */
  walBytes: number;
  /** Frames in the log since the last reset (SQLite's `mxFrame`). */
  frames: number;
  /** Frames already copied back into the database (SQLite's `nBackfill`). */
  backfilledFrames: number;
  /** `Date.now()` when the sample was taken. */
  sampledAt: number;
}

export function fileBytes(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

export interface ShmCounters {
  frames: number;
  backfilledFrames: number;
  /**
   * SQLite's `aReadMark[0..4]`: the snapshot (last frame) readers in each slot see;
   * 0xffffffff for a slot not in use. Slot 0 reads the database file alone.
   */
  readMarks: number[];
}

/**
 * Reads `mxFrame`, `nBackfill` and the read marks from the -shm wal-index header without touching a
 * connection (the layout of SQLite's `WalIndexHdr` and `WalCkptInfo`, in host byte order).
 * Lock-free and so racy by a frame or two, which a sample can afford. For tools in a process
 * with no SQLite connection to the database: closing a descriptor of the -shm drops every
 * POSIX lock this process holds on it, SQLite's own included, so inside an application use a
 * `ShmHeader`, which keeps its descriptor open.
 */
export function readShmCounters(databasePath: string): ShmCounters | undefined {
  const header = new ShmHeader(databasePath);
  try {
    return header.read();
  } finally {
    header.close();
  }
}

/**
 * The -shm's header read through one descriptor that stays open until `close()`. A process
 * whose connections hold SQLite's POSIX locks on the -shm (read marks, the open byte) must
 * not close any other descriptor of that file while they do: POSIX drops all of a process's
 * locks on a file when any of its descriptors closes, and another process could then reset
 * the WAL under this process's readers (measured: SQLITE_IOERR_SHORT_READ in the contention
 * test). So the application opens it once and closes it after its connections.
 */
export class ShmHeader {
  readonly #path: string;
  #fd: number | undefined;
  readonly #buffer = Buffer.alloc(136);

  constructor(databasePath: string) {
    this.#path = `${databasePath}-shm`;
  }

  read(): ShmCounters | undefined {
    if (this.#fd === undefined) {
      try {
        this.#fd = openSync(this.#path, 'r');
      } catch {
        return undefined;
      }
    }
    const header = this.#buffer;
    if (readSync(this.#fd, header, 0, 136, 0) < 136) return undefined;
    const little = endianness() === 'LE';
    const u32 = (offset: number) =>
      little ? header.readUInt32LE(offset) : header.readUInt32BE(offset);
    if (header[12] !== 1) return undefined; // isInit: the index was never built
    const readMarks = [0, 1, 2, 3, 4].map((slot) => u32(100 + 4 * slot));
    return { frames: u32(16), backfilledFrames: u32(96), readMarks };
  }

  /** Closes the descriptor: only once this process's connections to the database are closed. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/**
 * SQLite 3.51.0 added the NOOP checkpoint mode, which reports the log and backfill counts
 * without copying a page. An older SQLite parses an unknown mode as PASSIVE and would
 * checkpoint, so the version decides which way we sample.
 */
export function hasNoopCheckpoint(sqliteVersion: string): boolean {
  return compareVersions(sqliteVersion, '3.51.0') >= 0;
}

/** Compares dotted versions (`3.51.3`) numerically: negative when `a` is older than `b`. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Takes a sample through `connection` (NOOP checkpoint) or the -shm header. */
export function sampleWal(
  databasePath: string,
  connection: SqliteConnection,
  useNoop: boolean,
  shm: ShmHeader,
): WalSample {
  const walBytes = fileBytes(`${databasePath}-wal`);
  let frames = 0;
  let backfilledFrames = 0;
  if (useNoop) {
    const row = connection.pragma('wal_checkpoint(NOOP)')[0];
    // A log of -1 means the connection is not in WAL mode; report an empty log.
    frames = Math.max(0, Number(row?.log ?? 0));
    backfilledFrames = Math.max(0, Number(row?.checkpointed ?? 0));
  } else {
    const counters = shm.read();
    if (counters) ({ frames, backfilledFrames } = counters);
  }
  return { walBytes, frames, backfilledFrames, sampledAt: Date.now() };
}
