import { fileBytes } from '../wal-sample.js';

export type CheckpointMode = 'PASSIVE' | 'FULL' | 'RESTART' | 'TRUNCATE';

export const CHECKPOINT_MODES: readonly CheckpointMode[] = [
  'PASSIVE',
  'FULL',
  'RESTART',
  'TRUNCATE',
];

/** Modes that wait for readers, and so go through the read pool's barrier. */
export function waitsForReaders(mode: CheckpointMode): boolean {
  return mode !== 'PASSIVE';
}

/**
 * SQLite's answer when another connection holds the checkpoint lock: busy, with log and
 * checkpointed left at -1 because nothing was looked at. Readers in the way give real counts.
 */
export function holdsCheckpointLockElsewhere(row: Record<string, unknown> | undefined): boolean {
  if (row === undefined) return false;
  const { busy, logFrames } = parseCheckpointRow(row);
  return busy && logFrames === -1;
}

export interface CheckpointResult {
  mode: CheckpointMode;
  /**
   * SQLite could not finish: a reader or writer held the log past the stall cap. A busy
   * result is never a success; `logFrames` and `checkpointedFrames` say how far it got.
   */
  busy: boolean;
  /** Frames in the log when the checkpoint ran (SQLite's second result column). */
  logFrames: number;
  /** Frames copied back into the database (SQLite's third result column). */
  checkpointedFrames: number;
  durationMs: number;
  walBytesBefore: number;
  walBytesAfter: number;
}

/** Reads SQLite's `(busy, log, checkpointed)` row, whatever the driver named its columns. */
export function parseCheckpointRow(row: Record<string, unknown> | undefined): {
  busy: boolean;
  logFrames: number;
  checkpointedFrames: number;
} {
  if (!row) return { busy: true, logFrames: -1, checkpointedFrames: -1 };
  return {
    busy: Number(row.busy) !== 0,
    logFrames: Number(row.log),
    checkpointedFrames: Number(row.checkpointed),
  };
}

/**
 * The one place a checkpoint's result is built: SQLite's row, how long it took since
 * `startedAt` (a `performance.now()` reading), and the -wal's size before and now.
 */
export function checkpointResult(
  mode: CheckpointMode,
  row: Record<string, unknown> | undefined,
  timing: { startedAt: number; durationMs?: number },
  wal: { path: string; bytesBefore: number },
): CheckpointResult {
  return {
    mode,
    ...parseCheckpointRow(row),
    durationMs: timing.durationMs ?? performance.now() - timing.startedAt,
    walBytesBefore: wal.bytesBefore,
    walBytesAfter: fileBytes(wal.path),
  };
}
