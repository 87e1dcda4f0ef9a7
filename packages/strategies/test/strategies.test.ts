import { describe, expect, test } from 'vitest';
import {
  compose,
  conversationWorkloadStrategy,
  defineStrategy,
  externalStrategy,
  highConcurrencyStrategy,
  lowLatencyStrategy,
  sizeCappedStrategy,
  tieredStrategy,
} from '../src/index.js';
import { MiB, WalModel } from './wal-model.js';

// The starvation workload: 20,000 rows/s of 200 bytes is about 1,000 frames a second, with
// walkeeper's readers always pinning the newest frames.
const STARVING = 1000;

describe('sizeCapped', () => {
  test('holds the WAL under its cap while readers always overlap', () => {
    const wal = new WalModel();
    wal.pinnedByReaders = 20;
    wal.run(sizeCappedStrategy({ maxWalBytes: 16 * MiB }), 60, STARVING);
    expect(wal.peakWalBytes).toBeLessThanOrEqual(16 * MiB);
    expect(wal.decisions.some((d) => d.mode === 'TRUNCATE')).toBe(true);
    expect(wal.decisions.some((d) => d.mode === 'PASSIVE')).toBe(true);
  });

  test('backfills before it resets, so the reset itself copies little', () => {
    const wal = new WalModel();
    wal.write(3000);
    const decision = sizeCappedStrategy({ maxWalBytes: 16 * MiB }).decide(wal.state());
    expect(decision).toMatchObject({
      mode: 'PASSIVE',
      reason: expect.stringContaining('backfill before reset'),
    });
    wal.apply(decision!);
    expect(sizeCappedStrategy({ maxWalBytes: 16 * MiB }).decide(wal.state())?.mode).toBe(
      'TRUNCATE',
    );
  });

  test('backs off between busy resets instead of stalling again and again', () => {
    const wal = new WalModel();
    wal.outsideReader = true;
    wal.run(sizeCappedStrategy({ maxWalBytes: 4 * MiB }), 10, STARVING);
    const resets = wal.decisions.filter((d) => d.mode === 'TRUNCATE').length;
    // Every tick is 100 ms: without backoff that would be ~90 resets in 10 s.
    expect(resets).toBeGreaterThan(2);
    expect(resets).toBeLessThan(15);
  });

  test('does nothing on an empty WAL and requires its cap', () => {
    expect(sizeCappedStrategy({ maxWalBytes: MiB }).decide(new WalModel().state())).toBeUndefined();
    expect(() => sizeCappedStrategy({} as { maxWalBytes: number })).toThrow(
      /sizeCapped\(\)\.maxWalBytes/,
    );
    expect(() => sizeCappedStrategy({ maxWalBytes: 100 })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
  });
});

describe('tiered', () => {
  test('PASSIVE past the page threshold, on the interval, and nothing while clean', () => {
    const strategy = tieredStrategy({ passivePages: 100, intervalMs: 1000 });
    const wal = new WalModel();
    wal.write(50);
    expect(strategy.decide(wal.state())?.mode).toBe('PASSIVE'); // never checkpointed: interval is due
    wal.apply({ mode: 'PASSIVE', reason: 'test' });
    wal.now += 100;
    wal.write(50);
    expect(strategy.decide(wal.state())).toBeUndefined();
    wal.write(60);
    expect(strategy.decide(wal.state())).toMatchObject({
      mode: 'PASSIVE',
      reason: '110 frames to backfill',
    });
    wal.apply({ mode: 'PASSIVE', reason: 'test' });
    expect(strategy.decide(wal.state())).toBeUndefined();
  });

  test('resets above its reset size and truncates at once in an emergency', () => {
    const strategy = tieredStrategy({
      resetBytes: 4 * MiB,
      emergencyBytes: 8 * MiB,
      maxStallMs: 50,
    });
    const wal = new WalModel();
    wal.write(1100);
    wal.apply({ mode: 'PASSIVE', reason: 'test' });
    expect(strategy.decide(wal.state())).toEqual({
      mode: 'TRUNCATE',
      reason: 'log past its reset size',
      maxStallMs: 50,
    });
    wal.write(2100);
    expect(strategy.decide(wal.state())).toMatchObject({ mode: 'TRUNCATE', maxStallMs: 1000 });
    expect(strategy.decide(wal.state())?.reason).toMatch(/^emergency/);
  });

  test('holds the starving workload under its emergency size', () => {
    const wal = new WalModel();
    wal.pinnedByReaders = 20;
    wal.run(tieredStrategy(), 120, STARVING);
    expect(wal.peakWalBytes).toBeLessThanOrEqual(128 * MiB);
    expect(wal.peakWalBytes).toBeLessThanOrEqual(40 * MiB);
  });

  test('refuses an emergency size below the reset size', () => {
    expect(() => tieredStrategy({ resetBytes: 8 * MiB, emergencyBytes: 4 * MiB })).toThrow(
      /emergencyBytes/,
    );
  });
});

describe('conversationWorkload', () => {
  test('resets in the quiet gap after a burst, so the next burst starts from an empty log', () => {
    const strategy = conversationWorkloadStrategy({ quietMs: 1000 });
    const wal = new WalModel();
    wal.run(strategy, 3, 400); // a burst
    expect(wal.frames).toBeGreaterThan(0);
    expect(wal.decisions.every((d) => d.mode === 'PASSIVE')).toBe(true);
    wal.run(strategy, 2, 0); // the gap
    expect(wal.frames).toBe(0);
    expect(wal.walBytes).toBe(0);
    expect(wal.decisions.at(-1)).toMatchObject({
      mode: 'TRUNCATE',
      reason: 'quiet gap between bursts',
    });
  });

  test('an empty log in a -wal file past the cap is truncated', () => {
    const wal = new WalModel();
    // A RESTART elsewhere emptied the log but left the file at 20 MiB.
    wal.walBytes = 20 * MiB;
    const strategy = conversationWorkloadStrategy({ maxWalBytes: 16 * MiB });
    expect(strategy.decide(wal.state())).toMatchObject({ mode: 'TRUNCATE' });
    wal.walBytes = 8 * MiB;
    expect(strategy.decide(wal.state())).toBeUndefined();
  });

  test('a burst that never pauses is still capped', () => {
    const wal = new WalModel();
    wal.pinnedByReaders = 20;
    wal.run(conversationWorkloadStrategy({ maxWalBytes: 16 * MiB }), 60, STARVING);
    expect(wal.peakWalBytes).toBeLessThanOrEqual(16 * MiB);
  });
});

describe('lowLatency', () => {
  test('only ever asks for PASSIVE', () => {
    const wal = new WalModel();
    wal.pinnedByReaders = 20;
    wal.run(lowLatencyStrategy(), 30, STARVING);
    expect(wal.decisions.length).toBeGreaterThan(100);
    expect(new Set(wal.decisions.map((d) => d.mode))).toEqual(new Set(['PASSIVE']));
  });
});

describe('highConcurrency', () => {
  test('backfills continuously and resets earlier when the pool is quiet', () => {
    const busy = new WalModel();
    busy.readsInFlight = 100;
    busy.pinnedByReaders = 20;
    busy.run(highConcurrencyStrategy({ maxWalBytes: 16 * MiB }), 30, STARVING);
    const quiet = new WalModel();
    quiet.run(highConcurrencyStrategy({ maxWalBytes: 16 * MiB }), 30, STARVING);
    expect(busy.peakWalBytes).toBeLessThanOrEqual(16 * MiB);
    expect(quiet.peakWalBytes).toBeLessThan(busy.peakWalBytes);
  });
});

describe('external', () => {
  test('never decides anything and does not own checkpoints', () => {
    const wal = new WalModel();
    const strategy = externalStrategy({ maxWalBytes: 8 * MiB });
    wal.run(strategy, 30, STARVING);
    expect(wal.decisions).toEqual([]);
    expect(strategy.ownsCheckpoints).toBe(false);
    expect(strategy.capBytes).toBe(8 * MiB);
  });
});

describe('compose and defineStrategy', () => {
  test('compose takes the stronger decision and the smaller cap', () => {
    const passive = defineStrategy({
      name: 'always-passive',
      decide: () => ({ mode: 'PASSIVE', reason: 'p' }),
    });
    const truncateWhenBig = defineStrategy({
      name: 'truncate-when-big',
      capBytes: 4 * MiB,
      decide: (s) => (s.frames > 100 ? { mode: 'TRUNCATE', reason: 't' } : undefined),
    });
    const both = compose(passive, truncateWhenBig, sizeCappedStrategy({ maxWalBytes: 8 * MiB }));
    const wal = new WalModel();
    wal.write(50);
    expect(both.strategy.decide(wal.state())?.mode).toBe('PASSIVE');
    wal.write(100);
    expect(both.strategy.decide(wal.state())?.mode).toBe('TRUNCATE');
    expect(both.strategy.capBytes).toBe(4 * MiB);
    expect(both.name).toBe('strategy:compose(always-passive, truncate-when-big, sizeCapped)');
  });

  test('defineStrategy checks what it is given', () => {
    expect(() => defineStrategy({ name: '', decide: () => undefined })).toThrow(/name/);
    expect(() => defineStrategy({ name: 'x' } as never)).toThrow(/decide/);
    expect(() => compose()).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
  });

  test('the documented custom strategy truncates after a minute of quiet', () => {
    const nightly = defineStrategy({
      name: 'nightly-truncate',
      decide: (state) =>
        state.msSinceLastWrite > 60_000 && state.frames > 0
          ? { mode: 'TRUNCATE', reason: 'idle for a minute' }
          : undefined,
    });
    const wal = new WalModel();
    wal.write(10);
    wal.run(nightly.strategy, 61, 0, 1000);
    expect(wal.decisions).toEqual([{ mode: 'TRUNCATE', reason: 'idle for a minute' }]);
    expect(wal.frames).toBe(0);
  });
});
