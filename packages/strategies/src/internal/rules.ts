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
 * After a checkpoint that backfilled nothing new against a reader's snapshot, wait before
 * asking again: 100 ms, doubling with each such checkpoint, up to 1 s. Asking at once is the
 * checkpoint storm a reader outside walkeeper caused (measured: 6,281 PASSIVE a second); the
 * scheduler clears the streak as soon as the -shm shows the reader let go.
 */
export function stallBackoffMs(stalledStreak: number): number {
  return stalledStreak === 0 ? 0 : Math.min(100 * 2 ** (stalledStreak - 1), 1000);
}

/** A checkpoint now would get no further than the last one: every strategy waits. */
export function inStallBackoff(state: WalState): boolean {
  return state.stalledStreak > 0 && state.lastResultAgeMs < stallBackoffMs(state.stalledStreak);
}

/**
 * A strategy's `decide` that asks for nothing while a checkpoint would get no further than
 * the last one (`inStallBackoff`): every strategy that checkpoints goes through it.
 */
export function waitingOutStalls(
  decide: (state: WalState) => CheckpointDecision | undefined,
): (state: WalState) => CheckpointDecision | undefined {
  return (state) => (inStallBackoff(state) ? undefined : decide(state));
}

/**
 * `reset` unless a busy reset is backing off; meanwhile PASSIVE keeps backfilling off the
 * main thread where frames wait. The emergency tier goes through here too: a reset against a
 * reader walkeeper cannot pause would otherwise stall the application again and again.
 */
export function resetUnlessBackingOff(
  state: WalState,
  reset: CheckpointDecision,
): CheckpointDecision | undefined {
  if (!inResetBackoff(state)) return reset;
  return unbackfilledFrames(state) > 0
    ? { mode: 'PASSIVE', reason: `${reset.reason}; reset backing off after busy` }
    : undefined;
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
  if (!inResetBackoff(state) && unbackfilledFrames(state) > residualFrames(state))
    return { mode: 'PASSIVE', reason: `${reason}; backfill before reset` };
  return resetUnlessBackingOff(state, truncate(reason, maxStallMs));
}

/** A TRUNCATE decision, with the strategy's stall cap where it has one. */
export function truncate(reason: string, maxStallMs: number | undefined): CheckpointDecision {
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
