import { readFileSync, statSync } from 'node:fs';

/** A process holding read locks on the database's -shm, from /proc/locks. */
export interface ShmReader {
  pid: number;
  /** Its command line from /proc/<pid>/cmdline; empty when it cannot be read (another user's). */
  command: string;
  /**
   * The read-mark slots (0 to 4) it holds: it is inside a read transaction, and its snapshot
   * keeps checkpoints from backfilling past it. Empty: it only has the database open.
   */
  slots: number[];
}

/**
 * The -shm's lock bytes, as SQLite's unix VFS takes them (`WALINDEX_LOCK_OFFSET` 120): write,
 * checkpoint and recover locks, then one per read-mark slot, then the byte every connection
 * holds a read lock on while it has the -shm mapped (the "dead man switch").
 */
const READ_LOCK_FIRST_BYTE = 123;
const READ_SLOTS = 5;
const OPEN_BYTE = 128;

/** Where to read from: the system's /proc, or text a test supplies. */
export interface ProcSource {
  locks(): string | undefined;
  cmdline(pid: number): string | undefined;
}

const SYSTEM: ProcSource = {
  locks: () => readOptional('/proc/locks'),
  cmdline: (pid) => readOptional(`/proc/${pid}/cmdline`),
};

/**
 * Every process holding a POSIX read lock on `shmPath` (matched by device and inode), with
 * the read-mark slots it holds, readers inside a transaction first. Undefined where there is
 * no /proc/locks (not Linux) or no -shm file: then nothing can be said either way.
 */
export function shmReaders(shmPath: string, proc: ProcSource = SYSTEM): ShmReader[] | undefined {
  const stat = statSync(shmPath, { throwIfNoEntry: false });
  const text = stat && proc.locks();
  if (!stat || text === undefined) return undefined;
  const holders = readLocksOn(text, deviceId(stat.dev), stat.ino);
  return [...holders]
    .map(([pid, slots]) => ({ pid, command: commandOf(proc.cmdline(pid)), slots: [...slots] }))
    .sort((a, b) => b.slots.length - a.slots.length || a.pid - b.pid);
}

/**
 * The pids with a read lock on the file `device:inode` in /proc/locks, each with the read
 * slots its locks cover. A line reads `1: POSIX  ADVISORY  READ 4242 fe:00:2359323 124 124`
 * (`->` marks a waiter, which holds nothing yet; an open file description lock has pid -1).
 */
export function readLocksOn(text: string, device: string, inode: number): Map<number, Set<number>> {
  const holders = new Map<number, Set<number>>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== 'POSIX' || fields[3] !== 'READ') continue;
    const pid = Number(fields[4]);
    const [major, minor, ino] = (fields[5] ?? '').split(':');
    if (!(pid > 0) || Number(ino) !== inode || `${major}:${minor}` !== device) continue;
    const start = Number(fields[6]);
    const end = fields[7] === 'EOF' ? Number.POSITIVE_INFINITY : Number(fields[7]);
    if (end < READ_LOCK_FIRST_BYTE || start > OPEN_BYTE) continue;
    const slots = holders.get(pid) ?? new Set<number>();
    for (let slot = 0; slot < READ_SLOTS; slot++) {
      const byte = READ_LOCK_FIRST_BYTE + slot;
      if (start <= byte && byte <= end) slots.add(slot);
    }
    holders.set(pid, slots);
  }
  return holders;
}

/** `st_dev` as /proc/locks prints it: major and minor in hex, two digits at least. */
function deviceId(dev: number): string {
  // glibc's encoding: major in bits 8-19 and 32 up, minor in bits 0-7 and 20-31.
  const major = (Math.floor(dev / 2 ** 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
  const minor = (dev & 0xff) | (Math.floor(dev / 2 ** 12) & 0xfff00);
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `${hex(major)}:${hex(minor)}`;
}

function commandOf(cmdline: string | undefined): string {
  // Arguments are NUL-separated; one with line breaks (a `node -e` script) stays on one line.
  return (cmdline ?? '').split('\0').join(' ').replace(/\s+/g, ' ').trim();
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** One line per reader, for status and doctor. */
export function describeReader(reader: ShmReader): string {
  const what =
    reader.slots.length > 0
      ? `inside a read transaction (read-mark slot ${reader.slots.join(', ')}): it pins the WAL until it ends`
      : 'has the database open';
  return `pid ${reader.pid} ${reader.command ? `(${reader.command}) ` : ''}${what}`;
}
