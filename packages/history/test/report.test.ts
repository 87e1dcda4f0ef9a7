import { describe, expect, test } from 'vitest';
import { buildReport } from '../src/index.js';
import { HOUR, latency, MINUTE, sample, T0, tally } from './samples.js';

const MiB = 2 ** 20;

describe('report({ hours })', () => {
  test('summarises the WAL, checkpoints, latencies, the busiest minute and busy events', () => {
    const samples = [
      sample(T0 + 10_000, {
        wal: { bytes: 4 * MiB, frames: 900, backfilledFrames: 900, capBytes: 64 * MiB },
        reads: latency([1, 1, 1, 2, 2, 3, 250]),
        writes: latency([5, 5, 6], 100, 1),
        checkpoints: [tally('PASSIVE', 'complete', [2, 4]), tally('TRUNCATE', 'busy', [10])],
        busy: { checkpoints: 1, writeRetries: 2 },
      }),
      sample(T0 + 20_000, {
        wal: { bytes: 1 * MiB, frames: 100, backfilledFrames: 0, capBytes: 64 * MiB },
        reads: latency(Array.from({ length: 93 }, () => 1)),
        checkpoints: [tally('TRUNCATE', 'complete', [6]), tally('TRUNCATE', 'error', [0])],
        pool: {
          size: 4,
          used: 3,
          pending: 7,
          maxQueue: 1000,
          waitP95Ms: 1,
          timeouts: 1,
          crashes: 0,
        },
      }),
      // The next minute: fewer queries.
      sample(T0 + MINUTE + 10_000, {
        wal: { bytes: 2 * MiB, frames: 200, backfilledFrames: 200, capBytes: 64 * MiB },
        reads: latency([1, 1]),
      }),
    ];
    const report = buildReport(samples, T0 + 2 * MINUTE, { hours: 1 });
    expect(report).toMatchObject({
      to: T0 + 2 * MINUTE,
      from: T0 + 2 * MINUTE - HOUR,
      hours: 1,
      samples: 3,
      wal: { minBytes: 1 * MiB, p50Bytes: 2 * MiB, maxBytes: 4 * MiB, lastBytes: 2 * MiB },
      checkpoints: {
        total: 5,
        byMode: {
          PASSIVE: { complete: 2, busy: 0, error: 0, durationMs: { mean: 3, max: 4 } },
          TRUNCATE: { complete: 1, busy: 1, error: 1, durationMs: { mean: 8, max: 10 } },
        },
      },
      busiestMinute: { at: T0, reads: 100, writes: 3, queries: 103 },
      busy: { checkpoints: 1, writeRetries: 2 },
      pool: { maxUsed: 3, maxPending: 7, timeouts: 1, crashes: 0 },
      starvation: [],
    });
    // 102 reads: the one at 250 ms is past p99's rank (101st of 102 is 3 ms or less).
    expect(report.latency.reads).toMatchObject({ count: 102, errors: 0, slow: 1, maxMs: 250 });
    expect(report.latency.reads.p50Ms).toBeCloseTo(1, 0);
    expect(report.latency.reads.p95Ms).toBeLessThan(2.2);
    expect(report.latency.reads.p99Ms).toBeGreaterThan(1.8);
    expect(report.latency.reads.p99Ms).toBeLessThan(3.3);
    expect(report.latency.writes).toMatchObject({ count: 3, errors: 1, slow: 0, maxMs: 6 });
  });

  test('looks back only `hours`, and an empty window reports zeros', () => {
    const samples = [
      sample(T0, { wal: { bytes: 100, frames: 1, backfilledFrames: 0, capBytes: 1 } }),
      sample(T0 + 2 * HOUR, { wal: { bytes: 7, frames: 1, backfilledFrames: 0, capBytes: 1 } }),
    ];
    expect(buildReport(samples, T0 + 2 * HOUR, { hours: 1 }).wal.maxBytes).toBe(7);
    expect(buildReport(samples, T0 + 2 * HOUR, { hours: 3 }).wal.maxBytes).toBe(100);
    const empty = buildReport(samples, T0 + 10 * HOUR, { hours: 1 });
    expect(empty).toMatchObject({
      samples: 0,
      wal: { minBytes: 0, p50Bytes: 0, maxBytes: 0, lastBytes: 0 },
      checkpoints: { total: 0, byMode: {} },
      busiestMinute: undefined,
      starvation: [],
    });
    expect(empty.latency.reads.count).toBe(0);
    expect(() => buildReport(samples, T0, { hours: 0 })).toThrow(RangeError);
  });

  test('finds starvation episodes: the WAL grows for two or more samples while checkpoints cannot finish', () => {
    const wal = (bytes: number) => ({
      bytes,
      frames: bytes / 4096,
      backfilledFrames: 0,
      capBytes: 1e9,
    });
    const samples = [
      sample(T0 + 10_000, {
        wal: wal(4096 * 10),
        checkpoints: [tally('PASSIVE', 'complete', [1])],
      }),
      // Growing with busy resets: starving.
      sample(T0 + 20_000, {
        wal: wal(4096 * 20),
        busyStreak: 1,
        busy: { checkpoints: 1, writeRetries: 0 },
      }),
      sample(T0 + 30_000, {
        wal: wal(4096 * 40),
        busyStreak: 2,
        busy: { checkpoints: 1, writeRetries: 0 },
      }),
      sample(T0 + 40_000, {
        wal: wal(4096 * 80),
        busyStreak: 3,
        busy: { checkpoints: 1, writeRetries: 0 },
      }),
      // A reset completes: the episode ends.
      sample(T0 + 50_000, { wal: wal(0), checkpoints: [tally('TRUNCATE', 'complete', [3])] }),
      // One sample of growth with no checkpoint is not an episode.
      sample(T0 + 60_000, { wal: wal(4096 * 5) }),
      sample(T0 + 70_000, { wal: wal(4096 * 5) }),
      // Growth while PASSIVE checkpoints complete is a busy database, not starvation.
      sample(T0 + 80_000, { wal: wal(4096 * 9), checkpoints: [tally('PASSIVE', 'complete', [1])] }),
      sample(T0 + 90_000, {
        wal: wal(4096 * 12),
        checkpoints: [tally('PASSIVE', 'complete', [1])],
      }),
    ];
    expect(buildReport(samples, T0 + 100_000).starvation).toEqual([
      {
        from: T0 + 10_000,
        to: T0 + 40_000,
        durationMs: 30_000,
        walBytesStart: 4096 * 10,
        walBytesPeak: 4096 * 80,
        busyCheckpoints: 3,
      },
    ]);
  });
});
