import type { CheckpointStrategy } from '@walkeeper/core';
import { BYTES, integerOptions, required, STALL_MS } from './internal/options.js';
import {
  frameBytes,
  inResetBackoff,
  resetOrBackfill,
  truncate,
  unbackfilledFrames,
  waitingOutStalls,
} from './internal/rules.js';
import { type StrategyPlugin, strategyPlugin } from './internal/strategy-plugin.js';

export interface SizeCappedOptions {
  /** The WAL stays under this many bytes. */
  maxWalBytes: number;
  /** Longest a reset may wait for readers outside walkeeper. */
  maxStallMs?: number;
}

/**
 * Keeps the WAL under a byte cap. PASSIVE backfills off the main thread whenever an eighth of
 * the cap is waiting, and at half the cap a TRUNCATE through the read pool's barrier resets
 * the log, so the file never nears the cap even while readers always overlap.
 */
export function sizeCappedStrategy(options: SizeCappedOptions): CheckpointStrategy {
  const checked = integerOptions('sizeCapped', options, {
    maxWalBytes: BYTES,
    maxStallMs: STALL_MS,
  });
  const maxWalBytes = required(
    'sizeCapped',
    'maxWalBytes',
    checked.maxWalBytes,
    'a byte count of at least 65536',
  );
  const { maxStallMs } = checked;
  return {
    name: 'sizeCapped',
    capBytes: maxWalBytes,
    decide: waitingOutStalls((state) => {
      if (state.frames === 0 && state.walBytes < maxWalBytes) return undefined;
      const share = `log at ${Math.round((100 * state.logBytes) / maxWalBytes)}% of cap`;
      // Past three quarters there is no time left to backfill first: the writer copies the rest.
      if (state.logBytes >= (maxWalBytes * 3) / 4 && !inResetBackoff(state))
        return truncate(share, maxStallMs);
      if (state.logBytes >= maxWalBytes / 2 || state.walBytes >= maxWalBytes)
        return resetOrBackfill(state, share, maxStallMs);
      const waiting = unbackfilledFrames(state) * frameBytes(state);
      if (waiting >= maxWalBytes / 8)
        return { mode: 'PASSIVE', reason: 'an eighth of the cap unbackfilled' };
      if (waiting > 0 && state.lastResultAgeMs >= 1000)
        return { mode: 'PASSIVE', reason: 'unbackfilled for a second' };
      return undefined;
    }),
  };
}

/** The `sizeCapped` strategy as a plugin: `plugins: [sizeCapped({ maxWalBytes: 16 * 2 ** 20 })]`. */
export function sizeCapped(options: SizeCappedOptions): StrategyPlugin {
  return strategyPlugin(sizeCappedStrategy(options));
}
