import type { CheckpointStrategy, WalkeeperPlugin } from '@walkeeper/core';

/** A plugin that carries a strategy; `strategy` is required, so `compose()` can take it. */
export type StrategyPlugin = WalkeeperPlugin & { strategy: CheckpointStrategy };

export function strategyPlugin(strategy: CheckpointStrategy): StrategyPlugin {
  return Object.freeze({
    name: `strategy:${strategy.name}`,
    specificationVersion: 'v1' as const,
    strategy: Object.freeze(strategy),
  });
}
