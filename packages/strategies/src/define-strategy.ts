import { type CheckpointStrategy, composeStrategies } from '@walkeeper/core';
import { configError } from '@walkeeper/core/plugin-kit';
import { type StrategyPlugin, strategyPlugin } from './internal/strategy-plugin.js';

/**
 * A custom strategy as a plugin. `decide` must be a pure function of the state: the scheduler
 * calls it on a timer and after commits, and tests call it with a fake clock.
 *
 * ```ts
 * const nightly = defineStrategy({
 *   name: 'nightly-truncate',
 *   decide: (state) =>
 *     state.msSinceLastWrite > 60_000 && state.frames > 0
 *       ? { mode: 'TRUNCATE', reason: 'idle for a minute' }
 *       : undefined,
 * });
 * ```
 */
export function defineStrategy(strategy: CheckpointStrategy): StrategyPlugin {
  if (typeof strategy !== 'object' || strategy === null)
    throw configError('defineStrategy()', strategy, 'a strategy object');
  if (typeof strategy.name !== 'string' || strategy.name === '') {
    throw configError('defineStrategy().name', strategy.name, 'a non-empty string');
  }
  if (typeof strategy.decide !== 'function')
    throw configError('defineStrategy().decide', strategy.decide, 'a function');
  return strategyPlugin({ ...strategy });
}

/**
 * Several strategies as one: each is asked and the stronger decision wins (TRUNCATE over
 * RESTART over FULL over PASSIVE). Takes strategy plugins or bare strategies.
 */
export function compose(...parts: (StrategyPlugin | CheckpointStrategy)[]): StrategyPlugin {
  if (parts.length === 0) throw configError('compose()', parts, 'at least one strategy');
  const strategies = parts.map((part) =>
    'strategy' in part && part.strategy ? part.strategy : (part as CheckpointStrategy),
  );
  return strategyPlugin(
    composeStrategies(strategies, `compose(${strategies.map((s) => s.name).join(', ')})`),
  );
}
