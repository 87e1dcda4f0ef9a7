import type { WalkeeperCore } from '../open-walkeeper.js';

/**
 * The rooms behind each façade, kept off its public surface: the façade registers itself
 * here, and `@walkeeper/core/testing` and `/plugin-kit` look it up.
 */
const cores = new WeakMap<object, WalkeeperCore>();

export function registerCore(walkeeper: object, core: WalkeeperCore): void {
  cores.set(walkeeper, core);
}

export function coreOf(walkeeper: object): WalkeeperCore {
  const core = cores.get(walkeeper);
  if (core === undefined) throw new TypeError('not a walkeeper made by openWalkeeper()');
  return core;
}
