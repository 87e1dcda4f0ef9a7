import { Worker } from 'node:worker_threads';
import type { WorkerSetup } from './protocol.js';

/**
 * The worker entry is built beside this module (tsup emits `sqlite-worker.js` into the same
 * dist folder as every chunk), so a relative URL finds it from wherever core is installed.
 */
const WORKER_URL = new URL('./sqlite-worker.js', import.meta.url);

/**
 * Node hands the parent's `execArgv` to workers, and `--input-type` (set by `node -e` with
 * ES modules) makes a worker fail before it runs a line: it applies only to the entry string.
 */
const workerExecArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));

export function spawnSqliteWorker(setup: WorkerSetup): Worker {
  return new Worker(WORKER_URL, { workerData: setup, execArgv: workerExecArgv });
}
