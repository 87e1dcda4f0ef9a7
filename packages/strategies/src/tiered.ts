import type { CheckpointStrategy } from '@walkeeper/core';
import { configError } from '@walkeeper/core/plugin-kit';
import { BYTES, integerOptions, MILLISECONDS, PAGES, STALL_MS } from './internal/options.js';
import {
  passiveWhenDirty,
  resetOrBackfill,
  resetUnlessBackingOff,
  truncate,
  waitingOutStalls,
} from './internal/rules.js';
import { type StrategyPlugin, strategyPlugin } from './internal/strategy-plugin.js';

export interface TieredOptions {
  /** PASSIVE once this many frames wait to be backfilled (SQLite's own threshold is 1000). */
  passivePages?: number;
  /** PASSIVE when anything waits and no checkpoint ran for this long. */
  intervalMs?: number;
  /** Reset the log (TRUNCATE through the barrier) once it holds this many bytes. */
  resetBytes?: number;
  /** Past this, TRUNCATE at once with a longer stall cap: the emergency tier. */
  emergencyBytes?: number;
  /** Stall cap of the regular reset. */
  maxStallMs?: number;
}

const DEFAULTS = {
  passivePages: 1000,
  intervalMs: 5000,
  resetBytes: 32 * 2 ** 20,
  emergencyBytes: 128 * 2 ** 20,
} as const;

/**
 * The default: three tiers. PASSIVE past a page threshold or on an interval when dirty; a
 * barrier reset above `resetBytes`; an emergency TRUNCATE above `emergencyBytes`.
 */
export function tieredStrategy(options: TieredOptions = {}): CheckpointStrategy {
  const checked = integerOptions('tiered', options, {
    passivePages: PAGES,
    intervalMs: MILLISECONDS,
    resetBytes: BYTES,
    emergencyBytes: BYTES,
    maxStallMs: STALL_MS,
  });
  const { passivePages, intervalMs, resetBytes, emergencyBytes } = { ...DEFAULTS, ...checked };
  if (emergencyBytes <= resetBytes) {
    throw configError(
      'tiered().emergencyBytes',
      emergencyBytes,
      `more than resetBytes (${resetBytes})`,
    );
  }
  const { maxStallMs } = checked;
  return {
    name: 'tiered',
    capBytes: emergencyBytes,
    decide: waitingOutStalls((state) => {
      if (state.walBytes >= emergencyBytes || state.logBytes >= emergencyBytes) {
        return resetUnlessBackingOff(
          state,
          truncate('emergency: WAL past its emergency size', Math.max(maxStallMs ?? 0, 1000)),
        );
      }
      if (state.logBytes >= resetBytes || state.walBytes >= resetBytes) {
        return resetOrBackfill(state, 'log past its reset size', maxStallMs);
      }
      return passiveWhenDirty(state, passivePages, intervalMs);
    }),
  };
}

/** The `tiered` strategy as a plugin. */
export function tiered(options: TieredOptions = {}): StrategyPlugin {
  return strategyPlugin(tieredStrategy(options));
}
