import { describe, expect, test } from 'vitest';
import { type AlertState, evaluateAlerts } from '../src/index.js';
import { healthyState, latency, thresholds } from './samples.js';

const MiB = 2 ** 20;
const state: AlertState = {
  ...healthyState,
  walBytes: 8 * MiB,
  frames: 2000,
  backfilledFrames: 500,
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
