import { assessHealth, type CheckpointStrategy, type WalState } from '@walkeeper/core';
import { describe, expect, test } from 'vitest';
import { sizeCappedStrategy, tieredStrategy } from '../src/index.js';
import { WalModel } from './wal-model.js';

const MiB = 2 ** 20;
// The writer: 50 rows of 400 bytes every 5 ms is about 1,400 frames a second, and
// the scheduler is asked after commits, so every 5 ms.
const FRAMES_PER_SECOND = 1400;
const TICK_MS = 5;

/** Runs the model for `seconds`, returning when each checkpoint was decided (model ms). */
function run(
  wal: WalModel,
  strategy: CheckpointStrategy,
  seconds: number,
): { at: number; mode: string }[] {
  const decided: { at: number; mode: string }[] = [];
  const end = wal.now + seconds * 1000;
  while (wal.now < end) {
    wal.now += TICK_MS;
    wal.write(Math.round((FRAMES_PER_SECOND * TICK_MS) / 1000));
    const decision = strategy.decide(wal.state());
    if (decision) {
      decided.push({ at: wal.now, mode: decision.mode });
      wal.apply(decision);
    }
  }
  return decided;
}

function gaps(decided: { at: number }[]): number[] {
  return decided.slice(1).map((d, i) => d.at - decided[i]!.at);
}

function health(state: WalState, walCapBytes: number) {
  return assessHealth(
    {
      now: 0,
      walBytes: state.walBytes,
      frames: state.frames,
      backfilledFrames: state.backfilledFrames,
      busyStreak: 0,
      lastCompleteCheckpointAt: 0,
      openedAt: 0,
      journalMode: 'wal',
      sqliteVersion: '3.53.2',
      readerCrashes: 0,
      checkpointsHandedBack: false,
      pin: { frames: state.pinnedFrames, forMs: state.pinnedForMs, pageSize: state.pageSize },
    },
    { walCapBytes, busyStreak: 1000, maxCheckpointAgeMs: Number.POSITIVE_INFINITY },
  );
}

describe('a reader outside walkeeper holds one snapshot (fake clock)', () => {
  test('tiered: no checkpoint storm, a doubling backoff capped at a second', () => {
    const wal = new WalModel();
    wal.write(500);
    wal.pin();
    const decided = run(wal, tieredStrategy(), 10);
    // Asked every 5 ms for 10 s: without the backoff that was 2,000 PASSIVEs (measured live: 6,281 a second).
    expect(decided.length).toBeLessThanOrEqual(20);
    expect(decided.every((d) => d.mode === 'PASSIVE')).toBe(true);
    const between = gaps(decided);
    // The first PASSIVE makes progress (up to the snapshot); each one after it gets no further.
    expect(between.slice(1, 5)).toEqual([100, 200, 400, 800]);
    expect(between.slice(5).every((gap) => gap === 1000)).toBe(true);
    expect(wal.state().stalledStreak).toBeGreaterThan(5);
    expect(wal.backfilled).toBe(500);
  });

  test('tiered: a busy emergency reset backs off like any reset', () => {
    const strategy = tieredStrategy({ resetBytes: 2 * MiB, emergencyBytes: 4 * MiB });
    const wal = new WalModel();
    wal.write(100);
    wal.pin();
    const decided = run(wal, strategy, 30);
    const resets = decided.filter((d) => d.mode === 'TRUNCATE');
    // Past 4 MiB after a few seconds; every 5 ms tick would be ~5,000 stalls of a second each.
    expect(resets.length).toBeGreaterThan(2);
    expect(resets.length).toBeLessThanOrEqual(12);
    const between = gaps(resets);
    for (let i = 1; i < between.length; i++)
      expect(between[i]).toBeGreaterThanOrEqual(between[i - 1]!);
    expect(between.at(-1)).toBeGreaterThanOrEqual(5000);
  });

  test('sizeCapped past three quarters of its cap backs off too', () => {
    const wal = new WalModel();
    wal.write(100);
    wal.pin();
    const decided = run(wal, sizeCappedStrategy({ maxWalBytes: 4 * MiB }), 30);
    expect(decided.length).toBeLessThanOrEqual(60);
    expect(decided.filter((d) => d.mode === 'TRUNCATE').length).toBeLessThanOrEqual(12);
  });

  test('once the reader lets go, the next tick checkpoints and the log resets', () => {
    const strategy = tieredStrategy({ resetBytes: 4 * MiB, emergencyBytes: 64 * MiB });
    const wal = new WalModel();
    wal.write(100);
    wal.pin();
    run(wal, strategy, 5);
    expect(wal.frames * wal.frameBytes).toBeGreaterThan(4 * MiB);
    wal.unpin();
    const unpinnedAt = wal.now;
    const after = run(wal, strategy, 1);
    expect(after[0]).toEqual({ at: unpinnedAt + TICK_MS, mode: 'PASSIVE' });
    const reset = after.find((d) => d.mode === 'TRUNCATE');
    expect(reset!.at - unpinnedAt).toBeLessThan(1000);
    expect(wal.resetBusyStreak).toBe(0);
    expect(wal.state()).toMatchObject({ stalledStreak: 0, pinnedFrames: 0, pinnedForMs: 0 });
  });

  test('health names the pin: degraded, then critical as the WAL nears the emergency size', () => {
    const cap = 16 * MiB;
    const wal = new WalModel();
    wal.write(100);
    wal.pin();
    const strategy = tieredStrategy({ resetBytes: 8 * MiB, emergencyBytes: cap });
    run(wal, strategy, 0.5);
    // Pinned for less than a second: an ordinary long read, nothing to report yet.
    expect(health(wal.state(), cap).reasons).toEqual([]);
    run(wal, strategy, 1.5);
    const degraded = health(wal.state(), cap);
    expect(degraded.status).toBe('degraded');
    expect(degraded.reasons).toEqual([
      expect.objectContaining({ code: 'WAL_PINNED_BY_READER', severity: 'degraded' }),
    ]);
    expect(degraded.reasons[0]!.message).toContain(`${wal.state().pinnedFrames} frames`);
    run(wal, strategy, 8);
    expect(wal.walBytes).toBeGreaterThanOrEqual(0.75 * cap);
    const critical = health(wal.state(), cap);
    expect(critical.reasons.find((r) => r.code === 'WAL_PINNED_BY_READER')?.severity).toBe(
      'critical',
    );
  });
});
