import { Worker } from 'node:worker_threads';
import type { WorkerSetup } from './protocol.js';

/**
 * The worker entry is built beside this module (tsup emits `sqlite-worker.js` into the same
 * dist folder as every chunk), so a relative URL finds it from wherever core is installed.
 */
const WORKER_URL = new URL('./sqlite-worker.js', import.meta.url);

/**
 * Node hands the parent's `execArgv` to workers, and `--input-type` (set by `node -e` with ES
 * modules) makes a worker fail before it runs a line: it applies only to the entry string.
 * Only then are flags passed explicitly, without it. Passing them explicitly in every case
 * would break more: Node refuses V8 and process-wide flags (`--max-old-space-size`,
 * `--expose-gc`) in an explicit list, yet drops them quietly when a worker inherits them.
 */
const execArgvWithoutInputType = withoutInputType(process.execArgv);

export function spawnSqliteWorker(setup: WorkerSetup): Worker {
  const options = { workerData: setup };
  if (execArgvWithoutInputType === undefined) return new Worker(WORKER_URL, options);
  try {
    return new Worker(WORKER_URL, { ...options, execArgv: execArgvWithoutInputType });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    // A flag a worker refuses, beside --input-type: the worker starts with none.
    return new Worker(WORKER_URL, { ...options, execArgv: [] });
  }
}

/** The flags minus `--input-type[=| ]value`, or undefined when it is not among them. */
function withoutInputType(execArgv: readonly string[]): string[] | undefined {
  const at = execArgv.findIndex((arg) => arg === '--input-type' || arg.startsWith('--input-type='));
  if (at < 0) return undefined;
  const span = execArgv[at] === '--input-type' ? 2 : 1;
  return [...execArgv.slice(0, at), ...execArgv.slice(at + span)];
}
