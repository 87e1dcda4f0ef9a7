import type { CheckpointStrategy } from '@walkeeper/core';
import { BYTES, integerOptions } from './internal/options.js';
import { type StrategyPlugin, strategyPlugin } from './internal/strategy-plugin.js';

export interface ExternalOptions {
  /** Health reports the WAL over its cap past this size. */
  maxWalBytes?: number;
}

/**
 * Checkpoints belong to another process (Litestream, for one): walkeeper never checkpoints
 * and leaves SQLite's autocheckpoint as configured (set `pragmas.walAutocheckpoint: 0` when
 * the other process asks for that). It still samples the WAL and alerts through `health()`
 * when the WAL passes `maxWalBytes`.
 */
export function externalStrategy(options: ExternalOptions = {}): CheckpointStrategy {
  const { maxWalBytes = 64 * 2 ** 20 } = integerOptions('external', options, {
    maxWalBytes: BYTES,
  });
  return {
    name: 'external',
    capBytes: maxWalBytes,
    ownsCheckpoints: false,
    decide: () => undefined,
  };
}

/** The `external` strategy as a plugin. */
export function external(options: ExternalOptions = {}): StrategyPlugin {
  return strategyPlugin(externalStrategy(options));
}
