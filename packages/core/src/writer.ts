import type { SqliteConnection } from './driver.js';
import { writeError } from './internal/sqlite-errors.js';
import type { Metrics } from './metrics.js';
import { TransactionRunner, type WriteTransaction } from './transaction-runner.js';

/** After a top-level transaction commits or fails; an undefined error means committed. */
export type AfterTransaction = (durationMs: number, error: unknown) => void;

/**
 * The single writer connection: the transaction runner (`BEGIN IMMEDIATE`, savepoints, busy
 * retries) plus the write metrics and the commit hook that drives the checkpoint scheduler.
 * `write()` runs here; `batch()` and `transaction()` run through the write queue on the same
 * runner and report through `finish`.
 */
export class Writer {
  readonly connection: SqliteConnection;
  readonly runner: TransactionRunner;
  readonly #path: string;
  readonly #metrics: Metrics;
  readonly #afterTransaction: AfterTransaction;

  constructor(
    connection: SqliteConnection,
    options: { path: string; statementCacheSize: number; writeRetries: number },
    metrics: Metrics,
    afterTransaction: AfterTransaction,
  ) {
    this.connection = connection;
    this.#path = options.path;
    this.#metrics = metrics;
    this.#afterTransaction = afterTransaction;
    this.runner = new TransactionRunner(connection, {
      statementCacheSize: options.statementCacheSize,
      busyRetries: options.writeRetries,
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
      throw this.finish(started, error);
    }
    this.finish(started, undefined);
    return result;
  }

  /**
   * Records a top-level transaction that started at `started` and tells the scheduler.
   * Returns the error as the caller should see it (a full disk named as such).
   */
  finish(started: number, error: unknown): unknown {
    const duration = performance.now() - started;
    if (error === undefined) {
      this.#metrics.writes++;
      this.#metrics.writeLatency.record(duration);
    }
    const named = error === undefined ? undefined : this.named(error);
    // Failed writes get their own series, by failure (error.type), the full disk named.
    if (named !== undefined) this.#metrics.recordWriteFailure(duration, named);
    this.#afterTransaction(duration, error);
    this.#metrics.noteDiskOutcome(named);
    return named;
  }

  /** The error as a caller should see it: a full disk named as such, with the database's path. */
  named(error: unknown): unknown {
    return writeError(error, this.#path);
  }
}
