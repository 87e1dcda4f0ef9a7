import type { SqliteConnection } from './driver.js';
import type { Metrics } from './metrics.js';
import { TransactionRunner, type WriteTransaction } from './transaction-runner.js';

export interface WriterHooks {
  /** After a top-level transaction commits or fails; undefined error means committed. */
  afterTransaction(durationMs: number, error: unknown): void;
}

/**
 * The single writer connection: the transaction runner (`BEGIN IMMEDIATE`, savepoints, busy
 * retries) plus the write metrics and the commit hook that drives the checkpoint scheduler.
 */
export class Writer {
  readonly connection: SqliteConnection;
  readonly runner: TransactionRunner;
  readonly #metrics: Metrics;
  readonly #hooks: WriterHooks;

  constructor(
    connection: SqliteConnection,
    cacheSize: number,
    retries: number,
    metrics: Metrics,
    hooks: WriterHooks,
  ) {
    this.connection = connection;
    this.#metrics = metrics;
    this.#hooks = hooks;
    this.runner = new TransactionRunner(connection, {
      statementCacheSize: cacheSize,
      busyRetries: retries,
      onBusyRetry: () => {
        metrics.busyRetries++;
      },
    });
  }

  get inTransaction(): boolean {
    return this.runner.inTransaction;
  }

  write<T>(fn: (tx: WriteTransaction) => T): T {
    const runner = this.runner;
    if (runner.inTransaction) return runner.savepoint(fn);
    const started = performance.now();
    let result: T;
    try {
      result = runner.write(fn);
    } catch (error) {
      const failedAfter = performance.now() - started;
      this.#metrics.recordWriteFailure(failedAfter, error);
      this.#hooks.afterTransaction(failedAfter, error);
      throw error;
    }
    const duration = performance.now() - started;
    this.#metrics.writes++;
    this.#metrics.writeLatency.record(duration);
    this.#hooks.afterTransaction(duration, undefined);
    return result;
  }
}
