/**
 * Messages between the main thread and walkeeper's worker threads. Batches are flat arrays:
 * structured clone pays per object, so one array of numbers, strings and params costs less
 * than an array of small task objects.
 */
import type { SqliteRow } from '../driver.js';

export interface WorkerSetup {
  role: 'reader' | 'checkpointer';
  driverModule: string;
  driverOptions: Readonly<Record<string, unknown>>;
  path: string;
  /** Pragma assignments built by core from its fixed table, applied after opening. */
  pragmas: string[];
  /**
   * Readers only: one Int32 the pool sets to 1 when a checkpoint barrier wants the readers out.
   * A worker checks it between reads and hands back the reads it has not started.
   */
  yieldSignal?: SharedArrayBuffer;
  /**
   * Checkpointer only: one Int32 the worker holds at 1 while a checkpoint runs, and notifies
   * when it drops to 0, so the writer can wait for it without the event loop.
   */
  busySignal?: SharedArrayBuffer;
}

/** A batch of reads: `defs` teaches the worker new statements, `tasks` runs them. */
export interface ReadBatch {
  t: 'read';
  /** [statementId, sql, statementId, sql, ...] for statements this worker has not seen. */
  defs: (number | string)[];
  /** Statement ids this worker can forget (evicted from the main thread's cache). */
  drop: number[];
  /** [taskId, statementId, params, taskId, statementId, params, ...] */
  tasks: unknown[];
}

export interface CheckpointRequest {
  t: 'checkpoint';
  id: number;
  mode: 'PASSIVE';
}

export interface CloseRequest {
  t: 'close';
}

export type ToWorker = ReadBatch | CheckpointRequest | CloseRequest;

export interface SerializedError {
  name: string;
  message: string;
  code: string | undefined;
  /** A WalkeeperError's structured facts (structured-clonable). */
  details?: Record<string, unknown>;
}

/**
 * [taskId, ok, rowsOrError, ...] with per-task use time in ms. `ok` is null for a read the
 * worker did not start because a barrier asked it to yield: the pool queues it again.
 */
export interface ReadResults {
  t: 'results';
  results: (number | boolean | null | SqliteRow[] | SerializedError | undefined)[];
  useMs: number[];
}

export interface CheckpointDone {
  t: 'checkpointed';
  id: number;
  row: SqliteRow | undefined;
  error: SerializedError | undefined;
  durationMs: number;
}

export interface Ready {
  t: 'ready';
}

export interface Fatal {
  t: 'fatal';
  error: SerializedError;
}

export type FromWorker = ReadResults | CheckpointDone | Ready | Fatal;

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const details = (error as { details?: unknown }).details;
    return {
      name: error.name,
      message: error.message,
      code: typeof code === 'string' ? code : undefined,
      ...(typeof details === 'object' && details !== null
        ? { details: details as Record<string, unknown> }
        : {}),
    };
  }
  return { name: 'Error', message: String(error), code: undefined };
}
