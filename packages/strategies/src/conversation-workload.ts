import type { CheckpointStrategy } from '@walkeeper/core';
import { BYTES, integerOptions, MILLISECONDS, PAGES, STALL_MS } from './internal/options.js';
import { resetOrBackfill, unbackfilledFrames, waitingOutStalls } from './internal/rules.js';
import { type StrategyPlugin, strategyPlugin } from './internal/strategy-plugin.js';

export interface ConversationWorkloadOptions {
  /** A pause in writes this long is a gap: the time to backfill and reset. */
  quietMs?: number;
  /** During a burst, PASSIVE once this many frames wait. */
  passivePages?: number;
  /** Cap that holds even if a burst never pauses. */
  maxWalBytes?: number;
  maxStallMs?: number;
}

const DEFAULTS = { quietMs: 1500, passivePages: 500, maxWalBytes: 64 * 2 ** 20 } as const;

/**
 * For bursty writes with quiet gaps (chat transcripts, agents appending turns): light PASSIVE
 * work during a burst, and in the gap a backfill and a reset while nobody is writing, so the
 * next burst starts from an empty log.
 */
export function conversationWorkloadStrategy(
  options: ConversationWorkloadOptions = {},
): CheckpointStrategy {
  const checked = integerOptions('conversationWorkload', options, {
    quietMs: MILLISECONDS,
    passivePages: PAGES,
    maxWalBytes: BYTES,
    maxStallMs: STALL_MS,
  });
  const { quietMs, passivePages, maxWalBytes } = { ...DEFAULTS, ...checked };
  const { maxStallMs } = checked;
  return {
    name: 'conversationWorkload',
    capBytes: maxWalBytes,
    decide: waitingOutStalls((state) => {
      // An empty log in a file past the cap (left by a RESTART elsewhere): shrink the file.
      if (state.frames === 0)
        return state.walBytes >= maxWalBytes
          ? resetOrBackfill(state, 'empty log in a file past the cap', maxStallMs)
          : undefined;
      if (state.msSinceLastWrite >= quietMs)
        return resetOrBackfill(state, 'quiet gap between bursts', maxStallMs);
      if (state.logBytes >= maxWalBytes / 2)
        return resetOrBackfill(state, 'burst past half the cap', maxStallMs);
      const waiting = unbackfilledFrames(state);
      if (waiting >= passivePages)
        return { mode: 'PASSIVE', reason: `${waiting} frames to backfill mid-burst` };
      return undefined;
    }),
  };
}

/** The `conversationWorkload` strategy as a plugin. */
export function conversationWorkload(options: ConversationWorkloadOptions = {}): StrategyPlugin {
  return strategyPlugin(conversationWorkloadStrategy(options));
}
