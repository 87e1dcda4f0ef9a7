import { assessHealth, type HealthReport } from '@walkeeper/core';
import type { DatabaseSnapshot } from './inspect.js';

export interface SnapshotHealthOptions {
  /** WAL bytes above which the WAL is over its cap (degraded), twice that critical. */
  walCapBytes: number;
  /** When the watcher last saw a complete checkpoint (undefined: never, or a one-off look). */
  lastCompleteCheckpointAt?: number | undefined;
  /** When watching started; a one-off look passes the sample time (no staleness verdict). */
  openedAt?: number;
  /** A WAL with unbackfilled frames and no complete checkpoint seen for this long is stale. */
  maxCheckpointAgeMs?: number;
}

/** The default WAL cap: walkeeper's own default `health.walCapBytes`. */
export const DEFAULT_WAL_CAP_BYTES = 64 * 2 ** 20;

/**
 * Core's health verdict over a snapshot taken from outside the application. The SQLite
 * version judged is the one that last wrote the database (the application's), when the
 * header says it.
 */
export function snapshotHealth(
  snapshot: DatabaseSnapshot,
  options: SnapshotHealthOptions,
): HealthReport {
  return assessHealth(
    {
      now: snapshot.sampledAt,
      walBytes: snapshot.wal.bytes,
      frames: snapshot.wal.frames ?? 0,
      backfilledFrames: snapshot.wal.backfilledFrames ?? 0,
      busyStreak: 0,
      lastCompleteCheckpointAt: options.lastCompleteCheckpointAt,
      openedAt: options.openedAt ?? snapshot.sampledAt,
      journalMode: snapshot.journalMode,
      sqliteVersion: snapshot.sqlite.lastWriter ?? snapshot.sqlite.library,
      readerCrashes: 0,
      checkpointsHandedBack: false,
    },
    {
      walCapBytes: options.walCapBytes,
      busyStreak: 1,
      maxCheckpointAgeMs: options.maxCheckpointAgeMs ?? 5 * 60_000,
    },
  );
}
