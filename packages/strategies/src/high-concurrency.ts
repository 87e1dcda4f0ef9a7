import type { CheckpointStrategy } from '@walkeeper/core';
import { BYTES, integerOptions, PAGES, STALL_MS } from './internal/options.js';
import { resetOrBackfill, unbackfilledFrames, waitingOutStalls } from './internal/rules.js';
import { type StrategyPlugin, strategyPlugin } from './internal/strategy-plugin.js';

export interface HighConcurrencyOptions {
  maxWalBytes?: number;
  /** PASSIVE as soon as this many frames wait: backfill keeps up continuously. */
  passivePages?: number;
  maxStallMs?: number;
}

const DEFAULTS = { maxWalBytes: 64 * 2 ** 20, passivePages: 64 } as const;

/**
 * For heavy read load: backfill continuously off the main thread, and reset through the
 * barrier early when the pool happens to be quiet (a quarter of the cap) or, at the latest,
 * at half the cap, so the pause the barrier costs readers stays short.
 */
export function highConcurrencyStrategy(options: HighConcurrencyOptions = {}): CheckpointStrategy {
  const checked = integerOptions('highConcurrency', options, {
    maxWalBytes: BYTES,
    passivePages: PAGES,
    maxStallMs: STALL_MS,
  });
  const { maxWalBytes, passivePages } = { ...DEFAULTS, ...checked };
  const { maxStallMs } = checked;
  return {
    name: 'highConcurrency',
    capBytes: maxWalBytes,
    decide: waitingOutStalls((state) => {
      const quiet = state.readsInFlight === 0;
      const resetAt = quiet ? maxWalBytes / 4 : maxWalBytes / 2;
      if (state.logBytes >= resetAt || state.walBytes >= maxWalBytes) {
        return resetOrBackfill(
          state,
          quiet ? 'pool quiet: early reset' : 'log at half the cap',
          maxStallMs,
        );
      }
      const waiting = unbackfilledFrames(state);
      if (waiting >= passivePages)
        return { mode: 'PASSIVE', reason: `${waiting} frames to backfill` };
      return undefined;
    }),
  };
}

/** The `highConcurrency` strategy as a plugin. */
export function highConcurrency(options: HighConcurrencyOptions = {}): StrategyPlugin {
  return strategyPlugin(highConcurrencyStrategy(options));
}
