import { describe, expect, test } from 'vitest';
import { type AlertState, evaluateAlerts } from '../src/index.js';
import { latency } from './samples.js';

const MiB = 2 ** 20;
const thresholds = {
  slowQueryMs: 100,
  slowWindowMs: 60_000,
  busyStreak: 3,
  maxCheckpointAgeMs: 300_000,
  poolQueue: { info: 0.5, warning: 0.8, critical: 0.95 },
};
const state: AlertState = {
  walBytes: 8 * MiB,
  walCapBytes: 64 * MiB,
  frames: 2000,
  backfilledFrames: 500,
  busyStreak: 0,
  checkpointAgeMs: 1_000,
  pending: 0,
  maxQueue: 1000,
  recent: { reads: latency([1]), writes: latency([1]) },
};

describe('WAL_PINNED_BY_READER, as health() names it', () => {
  test('a warning once a reader has held its snapshot a second, critical near the cap', () => {
    const pinned = (forMs: number, walBytes = state.walBytes) =>
      evaluateAlerts({ ...state, walBytes, pin: { frames: 1500, forMs } }, thresholds).filter(
        (alert) => alert.code === 'WAL_PINNED_BY_READER',
      );
    expect(pinned(999)).toEqual([]);
    expect(pinned(12_000)).toEqual([
      {
        code: 'WAL_PINNED_BY_READER',
        severity: 'warning',
        message:
          "a reader's snapshot has pinned the WAL for 12 s: 1500 frames cannot be backfilled",
        advice: expect.stringContaining('walkeeper status'),
        value: 12_000,
        threshold: 1000,
      },
    ]);
    expect(pinned(12_000, 48 * MiB)[0]?.severity).toBe('critical');
    expect(evaluateAlerts({ ...state, pin: undefined }, thresholds)).toEqual([]);
  });
});
