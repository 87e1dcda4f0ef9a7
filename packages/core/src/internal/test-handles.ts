import type { WalkeeperCore } from '../open-walkeeper.js';

/**
 * What tests may reach inside a walkeeper, kept off its public surface: the façade registers
 * itself here and `@walkeeper/core/testing` looks it up.
 */
const cores = new WeakMap<object, WalkeeperCore>();

export function registerTestHandles(walkeeper: object, core: WalkeeperCore): void {
  cores.set(walkeeper, core);
}

export function coreOf(walkeeper: object): WalkeeperCore {
  const core = cores.get(walkeeper);
  if (core === undefined) throw new TypeError('not a walkeeper made by openWalkeeper()');
  return core;
}
