import { Worker } from 'node:worker_threads';
import type { WorkerSetup } from './protocol.js';

/**
 * The worker entry is built beside this module (tsup emits `sqlite-worker.js` into the same
 * dist folder as every chunk), so a relative URL finds it from wherever core is installed.
 */
const WORKER_URL = new URL('./sqlite-worker.js', import.meta.url);

export function spawnSqliteWorker(setup: WorkerSetup): Worker {
  return new Worker(WORKER_URL, { workerData: setup });
}
