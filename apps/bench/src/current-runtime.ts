import type { RuntimeName } from './cli.js';

/**
 * The runtime this process is. Bun sets `process.versions.bun` (and imitates Node's other
 * fields), so it is the one test that tells them apart.
 */
export function currentRuntime(): RuntimeName {
  return process.versions.bun === undefined ? 'node' : 'bun';
}
