import type { SqliteParams, SqliteRow } from './driver.js';
import { WalkeeperError } from './errors.js';

export const QUEUED = 0;
export const RUNNING = 1;
export const SETTLED = 2;

/** One read of the worker pool, from `read()` until its promise settles. */
export interface Task {
  id: number;
  sql: string;
  params: SqliteParams | undefined;
  resolve(rows: SqliteRow[]): void;
  reject(error: unknown): void;
  queuedAt: number;
  dispatchedAt: number;
  deadline: number;
  timeoutMs: number;
  state: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Marks a task settled and stops listening to its signal; the caller resolves or rejects it. */
export function settle(task: Task): void {
  task.state = SETTLED;
  if (task.onAbort) task.signal!.removeEventListener('abort', task.onAbort);
}

export function timeoutError(task: Task): WalkeeperError {
  return new WalkeeperError(
    'E_TIMEOUT',
    `The read took more than ${task.timeoutMs} ms (waiting included).`,
    { details: { timeoutMs: task.timeoutMs } },
  );
}

export function crashedError(cause: unknown): WalkeeperError {
  return new WalkeeperError(
    'E_READER_CRASHED',
    `The reader worker running this read died (${String(cause)}); it was replaced.`,
    { cause },
  );
}

export function unclonableError(cause: unknown): WalkeeperError {
  return new WalkeeperError(
    'E_CONFIG',
    `Invalid read parameters: they cannot be sent to a reader thread (${String(cause)}).`,
    { cause },
  );
}
