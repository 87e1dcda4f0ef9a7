import { LatencyRecorder, type LatencySummary } from '../src/latency.js';
import type { CheckpointTally, HistorySample } from '../src/sample.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
/** A fixed start for the fake clock: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1);

export function latency(durationsMs: readonly number[], slowMs = 100, errors = 0): LatencySummary {
  const recorder = new LatencyRecorder(slowMs);
  for (const [i, ms] of durationsMs.entries()) recorder.record(ms, i < errors);
  return recorder.summary();
}

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
