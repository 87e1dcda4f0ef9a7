import type { RuntimeName } from './cli.js';

/**
 * The runtime this process is. Bun sets `process.versions.bun` (and imitates Node's other
 * fields), so it is the one test that tells them apart; Node 24 or later is `node24` (the
 * workspace runs Node 20, so that is the `node` package's Node that main.ts re-ran itself in).
 */
export function currentRuntime(): RuntimeName {
  if (process.versions.bun !== undefined) return 'bun';
  return Number(process.versions.node.split('.')[0]) >= 24 ? 'node24' : 'node';
}
