import type { CheckpointStrategy, WalState } from '@walkeeper/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as shipped from '../src/index.js';
import { MiB } from './wal-model.js';

const age = fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 0, max: 3_600_000 }));

/** Any WAL state SQLite and the scheduler can report. */
const walState: fc.Arbitrary<WalState> = fc
  .record({
    frames: fc.integer({ min: 0, max: 200_000 }),
    backfilledShare: fc.double({ min: 0, max: 1, noNaN: true }),
    extraFileBytes: fc.integer({ min: 0, max: 512 * MiB }),
    pageSize: fc.constantFrom(1024, 4096, 8192, 65536),
    lastResultAgeMs: age,
    lastCompleteAgeMs: age,
    lastResetAgeMs: age,
    busyStreak: fc.integer({ min: 0, max: 50 }),
    resetBusyStreak: fc.integer({ min: 0, max: 50 }),
    msSinceLastWrite: age,
    writeRate: fc.double({ min: 0, max: 1e5, noNaN: true }),
    readsInFlight: fc.integer({ min: 0, max: 10_000 }),
    stalledStreak: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
    pinnedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    pinnedForMs: fc.integer({ min: 0, max: 3_600_000 }),
  })
  .map((r) => {
    const logBytes = r.frames === 0 ? 0 : 32 + r.frames * (r.pageSize + 24);
    const backfilledFrames = Math.floor(r.frames * r.backfilledShare);
    // The frames past a pin are some of the unbackfilled ones.
    const pinnedFrames = Math.floor((r.frames - backfilledFrames) * r.pinnedShare);
    return {
      now: 1_000_000,
      walBytes: logBytes + r.extraFileBytes,
      logBytes,
      frames: r.frames,
      backfilledFrames,
      pageSize: r.pageSize,
      lastResult: undefined,
      lastResultAgeMs: r.lastResultAgeMs,
      lastCompleteAgeMs: r.lastCompleteAgeMs,
      busyStreak: r.busyStreak,
      resetBusyStreak: r.resetBusyStreak,
      lastResetAgeMs: r.lastResetAgeMs,
      msSinceLastWrite: r.msSinceLastWrite,
      writeRate: r.writeRate,
      readsInFlight: r.readsInFlight,
      stalledStreak: pinnedFrames > 0 ? r.stalledStreak : 0,
      pinnedFrames,
      pinnedForMs: pinnedFrames > 0 ? r.pinnedForMs : 0,
    };
  });

const strategies: CheckpointStrategy[] = [
  shipped.tieredStrategy(),
  shipped.sizeCappedStrategy({ maxWalBytes: 16 * MiB }),
  shipped.conversationWorkloadStrategy(),
  shipped.lowLatencyStrategy(),
  shipped.highConcurrencyStrategy(),
  shipped.externalStrategy(),
];

describe('every strategy, for any state', () => {
  test.each(strategies.map((s) => [s.name, s] as const))(
    '%s decides a valid mode with a reason, deterministically',
    (_, strategy) => {
      fc.assert(
        fc.property(walState, (state) => {
          const decision = strategy.decide(state);
          expect(strategy.decide(state)).toEqual(decision);
          if (decision === undefined) return;
          expect(['PASSIVE', 'FULL', 'RESTART', 'TRUNCATE']).toContain(decision.mode);
          expect(decision.reason.length).toBeGreaterThan(0);
          if (decision.maxStallMs !== undefined)
            expect(decision.maxStallMs).toBeGreaterThanOrEqual(0);
        }),
      );
    },
  );

  test.each(strategies.map((s) => [s.name, s] as const))(
    '%s never resets during its busy backoff, not even in an emergency',
    (_, strategy) => {
      fc.assert(
        fc.property(walState, (state) => {
          const backingOff = { ...state, resetBusyStreak: 3, lastResetAgeMs: 10 };
          expect(strategy.decide(backingOff)?.mode ?? 'PASSIVE').toBe('PASSIVE');
        }),
      );
    },
  );

  test.each(strategies.map((s) => [s.name, s] as const))(
    '%s asks for nothing while a stalled checkpoint backs off, and again once it has',
    (_, strategy) => {
      fc.assert(
        fc.property(walState, fc.integer({ min: 1, max: 40 }), (state, stalledStreak) => {
          const stalled = { ...state, stalledStreak, pinnedFrames: 1, pinnedForMs: 1 };
          // The backoff is at least 100 ms after any stalled checkpoint.
          expect(strategy.decide({ ...stalled, lastResultAgeMs: 99 })).toBeUndefined();
          // Past the longest backoff (1 s), the strategy decides as if nothing had stalled.
          const later = { ...stalled, lastResultAgeMs: Math.max(state.lastResultAgeMs, 1000) };
          expect(strategy.decide(later)).toEqual(strategy.decide({ ...later, stalledStreak: 0 }));
        }),
      );
    },
  );

  test('lowLatency only ever asks for PASSIVE; external never asks', () => {
    fc.assert(
      fc.property(walState, (state) => {
        expect(shipped.lowLatencyStrategy().decide(state)?.mode ?? 'PASSIVE').toBe('PASSIVE');
        expect(shipped.externalStrategy().decide(state)).toBeUndefined();
      }),
    );
  });

  test('sizeCapped resets only at half its cap or with the file over it, backfilled unless past three quarters', () => {
    const cap = 16 * MiB;
    const strategy = shipped.sizeCappedStrategy({ maxWalBytes: cap });
    fc.assert(
      fc.property(walState, (state) => {
        const decision = strategy.decide(state);
        if (decision?.mode !== 'TRUNCATE') return;
        expect(state.logBytes >= cap / 2 || state.walBytes >= cap).toBe(true);
        const backfilled =
          state.frames - state.backfilledFrames <= Math.max(64, Math.floor(state.frames / 10));
        expect(backfilled || state.logBytes >= (cap * 3) / 4).toBe(true);
      }),
    );
  });

  test('a clean, empty WAL needs nothing from any strategy', () => {
    fc.assert(
      fc.property(walState, (state) => {
        const empty = { ...state, frames: 0, backfilledFrames: 0, logBytes: 0, walBytes: 0 };
        for (const strategy of strategies) expect(strategy.decide(empty)).toBeUndefined();
      }),
    );
  });
});
