import type { CheckpointMode, CheckpointOutcome, HealthStatus } from '@walkeeper/core';
import type { LatencySummary } from './latency.js';

/** Checkpoints of one mode and outcome within an interval. */
export interface CheckpointTally {
  mode: CheckpointMode;
  outcome: CheckpointOutcome;
  count: number;
  /** Total and longest duration; errors have none (0). */
  totalMs: number;
  maxMs: number;
}

/** One interval of the history: what walkeeper looked like at its end and what happened in it. */
export interface HistorySample {
  /** End of the interval (ms since the epoch, from the history's clock). */
  at: number;
  intervalMs: number;
  wal: { bytes: number; frames: number; backfilledFrames: number; capBytes: number };
  databaseBytes: number;
  reads: LatencySummary;
  writes: LatencySummary;
  checkpoints: CheckpointTally[];
  /** Consecutive busy or failed checkpoints at the end of the interval. */
  busyStreak: number;
  /** Busy events in the interval: busy or failed checkpoints, and writes retried after SQLITE_BUSY. */
  busy: { checkpoints: number; writeRetries: number };
  pool: {
    size: number;
    used: number;
    pending: number;
    maxQueue: number;
    /** Cumulative p95 of the pool's wait time (walkeeper keeps one histogram for its lifetime). */
    waitP95Ms: number;
    /** In the interval. */
    timeouts: number;
    crashes: number;
  };
  health: { status: HealthStatus; reasons: string[] };
}
