import {
  type CheckpointMode,
  type CheckpointResult,
  type CheckpointStrategy,
  isWalkeeperError,
  type WalState,
} from '@walkeeper/core';
import {
  conversationWorkloadStrategy,
  externalStrategy,
  highConcurrencyStrategy,
  lowLatencyStrategy,
  sizeCappedStrategy,
  tieredStrategy,
} from '@walkeeper/strategies';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { runSeed } from './support.js';

/**
 * Every strategy's decisions as properties, over the strategy's whole option space (the
 * strategies package's own properties use default options) and over states a real sampler
 * can report, including inconsistent ones (a -wal truncated by another process between two
 * reads, frames backfilled past the log after a restart). The guarantees: decide() never
 * throws and returns undefined or a well-formed decision; never a PASSIVE with nothing to
 * copy; never a reset while backing off after a busy one (except an emergency); never idle
 * with the log past the cap it promises; and bad options are E_CONFIG, never a TypeError.
 */

const SEED = runSeed();
console.log(`strategy properties: seed ${SEED} (WALKEEPER_SEED=${SEED} replays it)`);
const RUNS = { seed: SEED, numRuns: 2000 };

const MODES: readonly CheckpointMode[] = ['PASSIVE', 'FULL', 'RESTART', 'TRUNCATE'];
const MAX_BYTES = 2 ** 42;
const bytes = fc.integer({ min: 64 * 1024, max: MAX_BYTES });
const pages = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const ms = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const stall = fc.integer({ min: 0, max: 60_000 });
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Drops keys whose value is undefined: the strategies reject nothing for being absent. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

interface Factory {
  name: string;
  /** Any valid options, and the strategy made from them. */
  make: fc.Arbitrary<CheckpointStrategy>;
  /** Modes it may ask for at all. */
  modes: readonly CheckpointMode[];
  /** Builds it from options that may be wrong. */
  build(options: unknown): CheckpointStrategy;
}

const factories: Factory[] = [
  {
    name: 'tiered',
    make: fc
      .record({
        passivePages: optional(pages),
        intervalMs: optional(ms),
        maxStallMs: optional(stall),
        tiers: optional(
          fc
            .tuple(bytes, fc.integer({ min: 1, max: MAX_BYTES }))
            .map(([reset, more]) => ({ resetBytes: reset, emergencyBytes: reset + more })),
        ),
      })
      .map(({ tiers, ...rest }) => tieredStrategy(defined({ ...rest, ...tiers }))),
    modes: MODES,
    build: (o) => tieredStrategy(o as never),
  },
  {
    name: 'sizeCapped',
    make: fc
      .record({ maxWalBytes: bytes, maxStallMs: optional(stall) })
      .map((o) => sizeCappedStrategy(defined(o))),
    modes: MODES,
    build: (o) => sizeCappedStrategy(o as never),
  },
  {
    name: 'conversationWorkload',
    make: fc
      .record({
        quietMs: optional(ms),
        passivePages: optional(pages),
        maxWalBytes: optional(bytes),
        maxStallMs: optional(stall),
      })
      .map((o) => conversationWorkloadStrategy(defined(o))),
    modes: MODES,
    build: (o) => conversationWorkloadStrategy(o as never),
  },
  {
    name: 'lowLatency',
    make: fc
      .record({ passivePages: optional(pages), intervalMs: optional(ms) })
      .map((o) => lowLatencyStrategy(defined(o))),
    modes: ['PASSIVE'],
    build: (o) => lowLatencyStrategy(o as never),
  },
  {
    name: 'highConcurrency',
    make: fc
      .record({
        maxWalBytes: optional(bytes),
        passivePages: optional(pages),
        maxStallMs: optional(stall),
      })
      .map((o) => highConcurrencyStrategy(defined(o))),
    modes: MODES,
    build: (o) => highConcurrencyStrategy(o as never),
  },
  {
    name: 'external',
    make: fc.record({ maxWalBytes: optional(bytes) }).map((o) => externalStrategy(defined(o))),
    modes: [],
    build: (o) => externalStrategy(o as never),
  },
];

const age = fc.oneof(
  fc.constant(Number.POSITIVE_INFINITY),
  fc.integer({ min: 0, max: 200 }),
  fc.integer({ min: 0, max: 3_600_000 }),
);

const lastResult: fc.Arbitrary<CheckpointResult | undefined> = fc.option(
  fc.record({
    mode: fc.constantFrom(...MODES),
    busy: fc.boolean(),
    logFrames: fc.integer({ min: -1, max: 500_000 }),
    checkpointedFrames: fc.integer({ min: -1, max: 500_000 }),
    durationMs: fc.double({ min: 0, max: 60_000, noNaN: true }),
    walBytesBefore: fc.integer({ min: 0, max: MAX_BYTES }),
    walBytesAfter: fc.integer({ min: 0, max: MAX_BYTES }),
  }),
  { nil: undefined },
);

/** States a sampler can report, consistent or caught between two changes. */
const walState: fc.Arbitrary<WalState> = fc
  .record({
    frames: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 0, max: 2_000_000 }),
    ),
    backfill: fc.oneof(
      fc.constant('none' as const),
      fc.constant('all' as const),
      fc.constant('past the log' as const),
      fc.double({ min: 0, max: 1, noNaN: true }),
    ),
    pageSize: fc.constantFrom(512, 1024, 4096, 8192, 65536),
    file: fc.oneof(
      fc.constant('log' as const),
      fc.constant('truncated' as const),
      fc.integer({ min: 0, max: MAX_BYTES }),
    ),
    lastResult,
    lastResultAgeMs: age,
    lastCompleteAgeMs: age,
    lastResetAgeMs: age,
    busyStreak: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 })),
    resetBusyStreak: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 })),
    msSinceLastWrite: age,
    writeRate: fc.double({ min: 0, max: 1e6, noNaN: true }),
    readsInFlight: fc.integer({ min: 0, max: 100_000 }),
    stalledStreak: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 })),
    pinnedFrames: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000_000 })),
    pinnedForMs: age,
  })
  .map((r): WalState => {
    const logBytes = r.frames === 0 ? 0 : 32 + r.frames * (r.pageSize + 24);
    const backfilledFrames =
      r.backfill === 'none'
        ? 0
        : r.backfill === 'all'
          ? r.frames
          : r.backfill === 'past the log'
            ? r.frames + 10
            : Math.floor(r.frames * r.backfill);
    const walBytes =
      r.file === 'log' ? logBytes : r.file === 'truncated' ? 0 : Math.max(logBytes, r.file);
    return {
      now: 1_000_000_000,
      walBytes,
      logBytes,
      frames: r.frames,
      backfilledFrames,
      pageSize: r.pageSize,
      lastResult: r.lastResult,
      lastResultAgeMs: r.lastResultAgeMs,
      lastCompleteAgeMs: r.lastCompleteAgeMs,
      busyStreak: r.busyStreak,
      resetBusyStreak: r.resetBusyStreak,
      lastResetAgeMs: r.lastResetAgeMs,
      msSinceLastWrite: r.msSinceLastWrite,
      writeRate: r.writeRate,
      readsInFlight: r.readsInFlight,
      stalledStreak: r.stalledStreak,
      pinnedFrames: r.pinnedFrames,
      pinnedForMs: r.pinnedForMs,
    };
  });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const isReset = (mode: CheckpointMode | undefined) => mode !== undefined && mode !== 'PASSIVE';

describe.each(factories.map((f) => [f.name, f] as const))(
  '%s, with any valid options',
  (_, factory) => {
    test('decide() never throws and returns undefined or a well-formed decision, leaving the state alone', () => {
      fc.assert(
        fc.property(factory.make, walState, (strategy, state) => {
          const decision = strategy.decide(deepFreeze(state));
          if (decision === undefined) return;
          expect(factory.modes).toContain(decision.mode);
          expect(typeof decision.reason).toBe('string');
          expect(decision.reason.trim().length).toBeGreaterThan(0);
          expect(['maxStallMs', 'mode', 'reason']).toEqual(
            expect.arrayContaining(Object.keys(decision)),
          );
          if (decision.maxStallMs !== undefined) {
            expect(Number.isInteger(decision.maxStallMs)).toBe(true);
            expect(decision.maxStallMs).toBeGreaterThanOrEqual(0);
            expect(decision.maxStallMs).toBeLessThanOrEqual(60_000);
          }
        }),
        RUNS,
      );
    });

    test('never a PASSIVE when every frame is already backfilled', () => {
      fc.assert(
        fc.property(factory.make, walState, (strategy, state) => {
          if (state.frames > state.backfilledFrames) return;
          expect(strategy.decide(state)?.mode).not.toBe('PASSIVE');
        }),
        RUNS,
      );
    });

    test('never a reset while backing off after a busy one, unless it is an emergency', () => {
      fc.assert(
        fc.property(
          factory.make,
          walState,
          fc.integer({ min: 1, max: 100 }),
          fc.integer({ min: 0, max: 99 }),
          (strategy, state, streak, sinceReset) => {
            // 100 ms is the shortest backoff after a busy reset: this is always inside it.
            const decision = strategy.decide({
              ...state,
              resetBusyStreak: streak,
              lastResetAgeMs: sinceReset,
            });
            if (isReset(decision?.mode)) expect(decision?.reason).toMatch(/^emergency/);
          },
        ),
        RUNS,
      );
    });

    test('never idle with the log past the cap it promises (when it owns checkpoints and may reset)', () => {
      let pastCap = 0;
      fc.assert(
        fc.property(factory.make, walState, (strategy, state) => {
          const cap = strategy.capBytes;
          if (cap === undefined || strategy.ownsCheckpoints === false) return;
          if (state.logBytes < cap || state.resetBusyStreak > 0) return;
          // A checkpoint that got no further waits out its backoff (100 ms doubling to 1 s).
          const stallBackoffMs = Math.min(100 * 2 ** (state.stalledStreak - 1), 1000);
          if (state.stalledStreak > 0 && state.lastResultAgeMs < stallBackoffMs) return;
          pastCap++;
          expect(strategy.decide(state)).toBeDefined();
        }),
        RUNS,
      );
      // The property held for states that exist: enough of them were past the cap.
      if (factory.name !== 'lowLatency' && factory.name !== 'external')
        expect(pastCap).toBeGreaterThan(RUNS.numRuns / 50);
    });

    test('options of the wrong type or out of range are E_CONFIG, never a TypeError', () => {
      const junk = fc.oneof(
        fc.anything(),
        fc.constantFrom(-1, 0, 0.5, 1000, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, '64', 1n),
      );
      const badOptions = fc.oneof(
        // Not an options object at all (undefined is "defaults", so it is not here).
        fc.oneof(
          fc.string(),
          fc.integer(),
          fc.constant(null),
          fc.array(fc.integer(), { maxLength: 2 }),
        ),
        // A known key with a junk value (some junk is valid by chance: those must build).
        fc
          .record({
            key: fc.constantFrom(
              'maxWalBytes',
              'passivePages',
              'intervalMs',
              'maxStallMs',
              'quietMs',
              'resetBytes',
              'emergencyBytes',
            ),
            value: junk,
          })
          .map(({ key, value }) => ({ [key]: value })),
        // An unknown key.
        fc.string({ minLength: 1, maxLength: 10 }).map((key) => ({ [`x${key}`]: 1 })),
      );
      fc.assert(
        fc.property(badOptions, (options) => {
          let strategy: CheckpointStrategy | undefined;
          try {
            strategy = factory.build(options);
          } catch (error) {
            expect(isWalkeeperError(error, 'E_CONFIG'), String(error)).toBe(true);
            return;
          }
          // Accepted: then it must be a working strategy.
          expect(typeof strategy.decide).toBe('function');
        }),
        { seed: SEED, numRuns: 500 },
      );
    });
  },
);
