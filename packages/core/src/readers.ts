import type { SqliteConnection } from './driver.js';
import { InlineReadPool } from './inline-read-pool.js';
import { openError } from './internal/sqlite-errors.js';
import type { Metrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import { applyPragmas, pragmaAssignments, readerPragmas } from './pragmas.js';
import type { ReadPool } from './read-pool.js';
import type { WorkerSetup } from './worker/protocol.js';
import { WorkerReadPool } from './worker-read-pool.js';

/** What a worker thread needs to open its own connection with the readers' pragmas. */
export function workerSetup(options: ResolvedOptions, role: WorkerSetup['role']): WorkerSetup {
  const { driver, path, pragmas } = options;
  return {
    role,
    driverModule: driver.module,
    driverOptions: driver.options,
    path,
    pragmas: pragmaAssignments(readerPragmas(pragmas)),
  };
}

/** A read-only connection on this thread, with the readers' pragmas. */
export function openReader(options: ResolvedOptions): SqliteConnection {
  const { driver, path, pragmas } = options;
  const connection = driver.open(path, { readonly: true, fileMustExist: true });
  try {
    applyPragmas(connection, readerPragmas(pragmas));
  } catch (error) {
    connection.close();
    throw error;
  }
  return connection;
}

/**
 * Opens the read pool the options ask for. An inline pool also gives the main-thread reader
 * behind `prepareRead()`; with worker readers that one is opened on first use.
 */
export async function openReadPool(
  options: ResolvedOptions,
  metrics: Metrics,
): Promise<{ pool: ReadPool; syncReader: SqliteConnection | undefined }> {
  const { readers, statementCacheSize, path } = options;
  if (readers.mode === 'worker') {
    const pool = new WorkerReadPool({
      size: readers.size,
      maxQueue: readers.maxQueue,
      timeoutMs: readers.timeoutMs,
      statementCacheSize,
      setup: workerSetup(options, 'reader'),
      metrics,
    });
    try {
      await pool.start();
    } catch (error) {
      throw openError(error, path);
    }
    return { pool, syncReader: undefined };
  }
  const connections: SqliteConnection[] = [];
  try {
    for (let i = 0; i < readers.size; i++) connections.push(openReader(options));
  } catch (error) {
    for (const connection of connections) connection.close();
    throw openError(error, path);
  }
  const pool = new InlineReadPool(
    connections,
    statementCacheSize,
    readers.maxQueue,
    readers.timeoutMs,
    metrics,
  );
  return { pool, syncReader: pool.primary };
}
