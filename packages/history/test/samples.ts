import type { AlertState, AlertThresholds } from '../src/index.js';
import { LatencyRecorder, type LatencySummary } from '../src/latency.js';
import type { CheckpointTally, HistorySample } from '../src/sample.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
/** A fixed start for the fake clock: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1);

/** Alert thresholds the alert tests share: slow past 100 ms, busy after 3, stale after 5 min. */
export const thresholds: AlertThresholds = {
  slowQueryMs: 100,
  slowWindowMs: 60_000,
  busyStreak: 3,
  maxCheckpointAgeMs: 300_000,
  poolQueue: { info: 0.5, warning: 0.8, critical: 0.95 },
};

export function latency(durationsMs: readonly number[], slowMs = 100, errors = 0): LatencySummary {
  const recorder = new LatencyRecorder(slowMs);
  for (const [i, ms] of durationsMs.entries()) recorder.record(ms, i < errors);
  return recorder.summary();
}

/** A database in good shape, as the alert rules see it: each alert test changes what it needs. */
export const healthyState: AlertState = {
  walBytes: 2 ** 20,
  walCapBytes: 64 * 2 ** 20,
  frames: 10,
  backfilledFrames: 10,
  busyStreak: 0,
  checkpointAgeMs: 1_000,
  pending: 0,
  maxQueue: 1000,
  recent: { reads: latency([1, 2, 3]), writes: latency([4]) },
};

/** A sample at `at` covering the 10 s before it, with defaults for everything not given. */
export function sample(at: number, overrides: Partial<HistorySample> = {}): HistorySample {
  return {
    at,
    intervalMs: 10_000,
    wal: { bytes: 0, frames: 0, backfilledFrames: 0, capBytes: 64 * 2 ** 20 },
    databaseBytes: 4096,
    reads: latency([]),
    writes: latency([]),
    checkpoints: [],
    busyStreak: 0,
    busy: { checkpoints: 0, writeRetries: 0 },
    pool: { size: 4, used: 0, pending: 0, maxQueue: 1000, waitP95Ms: 0, timeouts: 0, crashes: 0 },
    health: { status: 'ok', reasons: [] },
    ...overrides,
  };
}

export function tally(
  mode: CheckpointTally['mode'],
  outcome: CheckpointTally['outcome'],
  durations: readonly number[],
): CheckpointTally {
  return {
    mode,
    outcome,
    count: durations.length,
    totalMs: durations.reduce((a, b) => a + b, 0),
    maxMs: Math.max(0, ...durations),
  };
}
