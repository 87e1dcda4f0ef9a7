import { isBusyError, type SqliteConnection, type SqliteRow } from '../driver.js';
import { sleepSync } from '../internal/sleep-sync.js';
import { type CheckpointMode, holdsCheckpointLockElsewhere, waitsForReaders } from './result.js';

/** Pause between tries while another connection holds SQLite's checkpoint lock. */
const CHECKPOINT_LOCK_RETRY_MS = 2;

export interface CheckpointAttemptOptions {
  mode: CheckpointMode;
  /** How long readers elsewhere (and another checkpoint) may hold a waiting mode up. */
  maxStallMs: number;
  /** The connection's own busy timeout, restored after each attempt. */
  busyTimeoutMs: number;
  /** Runs before every attempt with the time left (the commit path waits out a PASSIVE here). */
  beforeAttempt?(remainingMs: number): void;
}

/**
 * The one checkpoint attempt loop. A waiting mode (FULL, RESTART, TRUNCATE) gets a busy
 * timeout capped at what is left of `maxStallMs`; SQLite takes its checkpoint lock without
 * calling the busy handler, so while another connection or process checkpoints the answer
 * is busy at once with log -1, and the loop tries again every 2 ms until the cap runs out,
 * as SQLite's busy handler would for a reader. It yields the pause it wants; `runCheckpoint`
 * and `runCheckpointSync` only decide how to wait.
 */
export function* checkpointAttempts(
  connection: SqliteConnection,
  options: CheckpointAttemptOptions,
): Generator<number, SqliteRow | undefined, void> {
  const deadline = performance.now() + options.maxStallMs;
  const remaining = () => Math.max(0, Math.round(deadline - performance.now()));
  for (;;) {
    options.beforeAttempt?.(remaining());
    const row = attemptOnce(connection, options.mode, remaining(), options.busyTimeoutMs);
    if (!waitsForReaders(options.mode) || !holdsCheckpointLockElsewhere(row)) return row;
    const left = deadline - performance.now();
    if (left <= 0) return row;
    yield Math.min(CHECKPOINT_LOCK_RETRY_MS, left);
  }
}

/** The attempt loop, waiting on a timer: the event loop stays free. */
export async function runCheckpoint(
  connection: SqliteConnection,
  options: CheckpointAttemptOptions,
): Promise<SqliteRow | undefined> {
  const attempts = checkpointAttempts(connection, options);
  for (let step = attempts.next(); ; step = attempts.next()) {
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setTimeout(resolve, step.value));
  }
}

/** The attempt loop, blocking the thread between tries: for a caller that must not yield. */
export function runCheckpointSync(
  connection: SqliteConnection,
  options: CheckpointAttemptOptions,
): SqliteRow | undefined {
  const attempts = checkpointAttempts(connection, options);
  for (let step = attempts.next(); ; step = attempts.next()) {
    if (step.done) return step.value;
    sleepSync(step.value);
  }
}

/** One `wal_checkpoint`; a waiting mode may be held up by readers for at most `stallMs`. */
function attemptOnce(
  connection: SqliteConnection,
  mode: CheckpointMode,
  stallMs: number,
  busyTimeoutMs: number,
): SqliteRow | undefined {
  const capStall = waitsForReaders(mode);
  if (capStall) connection.pragma(`busy_timeout = ${stallMs}`);
  try {
    return connection.pragma(`wal_checkpoint(${mode})`)[0];
  } catch (error) {
    // A busy handler that gave up surfaces as SQLITE_BUSY on some paths: that is a busy result.
    if (!isBusyError(error)) throw error;
    return undefined;
  } finally {
    if (capStall) connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
}
