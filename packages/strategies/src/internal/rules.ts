import type { CheckpointDecision, WalState } from '@walkeeper/core';

/** Bytes one frame takes in the -wal file: the page plus its 24-byte header. */
export function frameBytes(state: WalState): number {
  return state.pageSize + 24;
}

export function unbackfilledFrames(state: WalState): number {
  return Math.max(0, state.frames - state.backfilledFrames);
}

/**
 * After a busy reset, wait before asking readers to clear out again: 100 ms, doubling with
 * each busy result, up to 5 s. Litestream removed RESTART after it hung applications; a
 * reset that keeps failing must not keep stalling.
 */
export function resetBackoffMs(busyStreak: number): number {
  return busyStreak === 0 ? 0 : Math.min(100 * 2 ** (busyStreak - 1), 5000);
}

export function inResetBackoff(state: WalState): boolean {
  return state.resetBusyStreak > 0 && state.lastResetAgeMs < resetBackoffMs(state.resetBusyStreak);
}

/**
 * A reset (TRUNCATE through the barrier) is cheap once the log is backfilled: the writer only
 * copies what is left. So resets wait until at most this much is left, and PASSIVE off the
 * main thread copies the rest first.
 */
export function residualFrames(state: WalState): number {
  return Math.max(64, Math.floor(state.frames / 10));
}

/** TRUNCATE when the log is backfilled enough, else PASSIVE to get it there. */
export function resetOrBackfill(
  state: WalState,
  reason: string,
  maxStallMs: number | undefined,
): CheckpointDecision | undefined {
  if (inResetBackoff(state)) {
    return unbackfilledFrames(state) > 0
      ? { mode: 'PASSIVE', reason: `${reason}; reset backing off after busy` }
      : undefined;
  }
  if (unbackfilledFrames(state) > residualFrames(state))
    return { mode: 'PASSIVE', reason: `${reason}; backfill before reset` };
  return maxStallMs === undefined
    ? { mode: 'TRUNCATE', reason }
    : { mode: 'TRUNCATE', reason, maxStallMs };
}

/** PASSIVE once `passivePages` frames wait, or when anything waits and `intervalMs` passed. */
export function passiveWhenDirty(
  state: WalState,
  passivePages: number,
  intervalMs: number,
): CheckpointDecision | undefined {
  const waiting = unbackfilledFrames(state);
  if (waiting >= passivePages) return { mode: 'PASSIVE', reason: `${waiting} frames to backfill` };
  if (waiting > 0 && state.lastResultAgeMs >= intervalMs)
    return { mode: 'PASSIVE', reason: 'dirty for an interval' };
  return undefined;
}
