import type { HealthReport } from '@walkeeper/core';
import type { DatabaseSnapshot } from './inspect.js';
import { snapshotHealth } from './snapshot-health.js';

/** What `walkeeper watch` has seen so far. */
export interface WatchState {
  startedAt: number;
  samples: number;
  /** WAL bytes of the recent samples, oldest first (for the sparkline). */
  walHistory: number[];
  /** Checkpoints seen: the backfill moved forward, or the log started over. */
  checkpointsSeen: number;
  /** Of those, the times the log started over (a RESTART or TRUNCATE, or a writer's reset). */
  resetsSeen: number;
  lastCheckpointSeenAt: number | undefined;
  /** When every frame in the log was last seen backfilled, or the log seen starting over. */
  lastCompleteAt: number | undefined;
  last: DatabaseSnapshot | undefined;
  health: HealthReport | undefined;
}

export interface WatchOptions {
  walCapBytes: number;
  /** Samples kept for the sparkline. */
  historySize?: number;
}

export function initialWatchState(startedAt: number): WatchState {
  return {
    startedAt,
    samples: 0,
    walHistory: [],
    checkpointsSeen: 0,
    resetsSeen: 0,
    lastCheckpointSeenAt: undefined,
    lastCompleteAt: undefined,
    last: undefined,
    health: undefined,
  };
}

/**
 * Folds one snapshot into the state. A checkpoint shows as backfilled frames moving forward;
 * a reset as the log's frame count going down or the -wal header's salt changing (every
 * reset draws a new one), which also means the frames before it were all backfilled.
 */
export function observe(
  state: WatchState,
  next: DatabaseSnapshot,
  options: WatchOptions,
): WatchState {
  const previous = state.last;
  let reset = false;
  let advanced = false;
  if (previous) {
    const before = previous.wal;
    const after = next.wal;
    const saltChanged =
      before.header !== undefined &&
      after.header !== undefined &&
      before.header.salt !== after.header.salt;
    const framesDropped =
      before.frames !== undefined && after.frames !== undefined && after.frames < before.frames;
    reset = saltChanged || framesDropped;
    advanced =
      !reset &&
      before.backfilledFrames !== undefined &&
      after.backfilledFrames !== undefined &&
      after.backfilledFrames > before.backfilledFrames;
  }
  const seen = reset || advanced;
  const frames = next.wal.frames;
  const complete =
    reset || (frames !== undefined && frames > 0 && next.wal.backfilledFrames === frames);
  const history = [...state.walHistory, next.wal.bytes].slice(-(options.historySize ?? 240));
  const lastCompleteAt = complete ? next.sampledAt : state.lastCompleteAt;
  return {
    ...state,
    samples: state.samples + 1,
    walHistory: history,
    checkpointsSeen: state.checkpointsSeen + (seen ? 1 : 0),
    resetsSeen: state.resetsSeen + (reset ? 1 : 0),
    lastCheckpointSeenAt: seen ? next.sampledAt : state.lastCheckpointSeenAt,
    lastCompleteAt,
    last: next,
    health: snapshotHealth(next, {
      walCapBytes: options.walCapBytes,
      openedAt: state.startedAt,
      lastCompleteCheckpointAt: lastCompleteAt,
    }),
  };
}
