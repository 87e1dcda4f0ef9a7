import { describe, expect, test } from 'vitest';
import { assessHealth, type HealthInput } from '../src/health.js';

const thresholds = { walCapBytes: 1000, busyStreak: 3, maxCheckpointAgeMs: 60_000 };
const healthy: HealthInput = {
  now: 100_000,
  walBytes: 0,
  frames: 0,
  backfilledFrames: 0,
  busyStreak: 0,
  lastCompleteCheckpointAt: undefined,
  openedAt: 0,
  journalMode: 'wal',
  sqliteVersion: '3.53.0',
  readerCrashes: 0,
  checkpointsHandedBack: false,
};

describe('assessHealth', () => {
  test('ok with no reasons when everything is in bounds', () => {
    expect(assessHealth(healthy, thresholds)).toEqual({
      status: 'ok',
      reasons: [],
      checkedAt: 100_000,
    });
  });

  test.each([
    [{ walBytes: 1500 }, 'WAL_OVER_CAP', 'degraded'],
    [{ walBytes: 2500 }, 'WAL_OVER_CAP', 'critical'],
    [{ busyStreak: 3 }, 'CHECKPOINT_BUSY_STREAK', 'degraded'],
    [{ busyStreak: 9 }, 'CHECKPOINT_BUSY_STREAK', 'critical'],
    [{ frames: 10, backfilledFrames: 2 }, 'CHECKPOINT_STALE', 'degraded'],
    [{ journalMode: 'delete' }, 'JOURNAL_MODE_NOT_WAL', 'critical'],
    [{ sqliteVersion: '3.51.2' }, 'SQLITE_WAL_RESET_BUG', 'degraded'],
    [{ readerCrashes: 1 }, 'READER_CRASHES', 'degraded'],
    [{ checkpointsHandedBack: true }, 'CHECKPOINTS_HANDED_BACK', 'degraded'],
    [{ pin: { frames: 5, forMs: 1000, pageSize: 4096 } }, 'WAL_PINNED_BY_READER', 'degraded'],
    [
      { walBytes: 750, pin: { frames: 5, forMs: 60_000, pageSize: 4096 } },
      'WAL_PINNED_BY_READER',
      'critical',
    ],
  ] as const)('%o gives %s (%s)', (change, code, severity) => {
    const report = assessHealth({ ...healthy, ...change }, thresholds);
    expect(report.status).toBe(severity);
    expect(report.reasons).toEqual([expect.objectContaining({ code, severity })]);
  });

  test('a recent complete checkpoint keeps an unbackfilled WAL from being stale', () => {
    const report = assessHealth(
      { ...healthy, frames: 10, lastCompleteCheckpointAt: 90_000 },
      thresholds,
    );
    expect(report.status).toBe('ok');
  });

  test('SQLite 3.51.3 and later are past the WAL-reset bug', () => {
    expect(assessHealth({ ...healthy, sqliteVersion: '3.51.3' }, thresholds).status).toBe('ok');
    expect(assessHealth({ ...healthy, sqliteVersion: '3.100.0' }, thresholds).status).toBe('ok');
  });
});

describe('a reader pinning the WAL', () => {
  test('is not reported for an ordinary read shorter than a second, nor with nothing past it', () => {
    for (const pin of [
      { frames: 500, forMs: 999, pageSize: 4096 },
      { frames: 0, forMs: 60_000, pageSize: 4096 },
    ])
      expect(assessHealth({ ...healthy, pin }, thresholds).reasons).toEqual([]);
  });

  test('names the frames, their size and how long', () => {
    const [reason] = assessHealth(
      { ...healthy, walBytes: 100, pin: { frames: 256, forMs: 12_400, pageSize: 4096 } },
      thresholds,
    ).reasons;
    expect(reason?.message).toMatch(/pinned the WAL for 12 s: 256 frames \(1\.0 MiB\)/);
  });
});
