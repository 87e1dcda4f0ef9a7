import type { CheckpointStrategy } from '@walkeeper/core';
import { integerOptions, MILLISECONDS, PAGES } from './internal/options.js';
import { passiveWhenDirty, waitingOutStalls } from './internal/rules.js';
import { type StrategyPlugin, strategyPlugin } from './internal/strategy-plugin.js';

export interface LowLatencyOptions {
  /** PASSIVE once this many frames wait. */
  passivePages?: number;
  /** PASSIVE when anything waits and no checkpoint ran for this long. */
  intervalMs?: number;
}

const DEFAULTS = { passivePages: 100, intervalMs: 250 } as const;

/**
 * Small, frequent PASSIVE checkpoints off the main thread and nothing else: it never raises
 * the barrier, so it never delays a reader or a writer. SQLite restarts a fully backfilled log
 * by itself when no reader is inside it; with readers that always overlap the file can still
 * grow, which is the price of never blocking (choose sizeCapped when the size matters more).
 */
export function lowLatencyStrategy(options: LowLatencyOptions = {}): CheckpointStrategy {
  const { passivePages, intervalMs } = {
    ...DEFAULTS,
    ...integerOptions('lowLatency', options, { passivePages: PAGES, intervalMs: MILLISECONDS }),
  };
  return {
    name: 'lowLatency',
    decide: waitingOutStalls((state) => passiveWhenDirty(state, passivePages, intervalMs)),
  };
}

/** The `lowLatency` strategy as a plugin. */
export function lowLatency(options: LowLatencyOptions = {}): StrategyPlugin {
  return strategyPlugin(lowLatencyStrategy(options));
}
