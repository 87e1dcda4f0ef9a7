import type { SqliteParams, SqliteRow, SqliteRunResult } from './driver.js';
import { WalkeeperError } from './errors.js';
import type { TransactionRunner, WriteTransaction } from './transaction-runner.js';

/** The handle a `transaction()` callback gets: the writer's statements, valid until it settles. */
export interface AsyncTransaction extends WriteTransaction {
  /** A nested transaction: a savepoint, rolled back alone when `fn` throws. */
  transaction<T>(fn: (tx: AsyncTransaction) => Promise<T> | T): Promise<T>;
}

const finished = () =>
  new WalkeeperError(
    'E_TRANSACTION_FINISHED',
    'This transaction has finished (committed, rolled back, timed out or aborted); use its tx only inside its transaction() callback.',
  );

/**
 * One `transaction()`: `BEGIN IMMEDIATE`, the callback awaited, then COMMIT, or ROLLBACK when
 * it throws, times out or is aborted. Its `tx` refuses statements once the transaction has
 * ended, so a callback that keeps running after a timeout can never write into a later
 * transaction on the same connection.
 */
export class AsyncTransactionHandle {
  readonly #runner: TransactionRunner;
  readonly #timeoutMs: number | undefined;
  readonly #signal: AbortSignal | undefined;
  #active = false;
  #savepoints = 0;
  #stop: ((error: unknown) => void) | undefined;

  constructor(runner: TransactionRunner, options: { timeoutMs?: number; signal?: AbortSignal }) {
    this.#runner = runner;
    this.#timeoutMs = options.timeoutMs;
    this.#signal = options.signal;
  }

  /** Ends the transaction now with `error` (destroy()). */
  abort(error: unknown): void {
    this.#stop?.(error);
  }

  async run<T>(fn: (tx: AsyncTransaction) => Promise<T> | T): Promise<T> {
    const runner = this.#runner;
    if (this.#signal?.aborted) throw this.#signal.reason;
    runner.begin();
    this.#active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => this.#stop?.(this.#signal?.reason);
    const stopped = new Promise<never>((_, reject) => {
      this.#stop = reject;
    });
    if (this.#timeoutMs !== undefined) {
      const ms = this.#timeoutMs;
      timer = setTimeout(
        () =>
          this.#stop?.(
            new WalkeeperError(
              'E_TIMEOUT',
              `The transaction did not settle within ${ms} ms; it was rolled back.`,
              {
                details: { timeoutMs: ms },
              },
            ),
          ),
        ms,
      );
    }
    this.#signal?.addEventListener('abort', onAbort, { once: true });
    const work = Promise.resolve().then(() => fn(this.#handle()));
    // A callback still running after a timeout must not surface as an unhandled rejection.
    work.catch(() => undefined);
    try {
      const value = await Promise.race([work, stopped]);
      this.#active = false;
      runner.commit();
      return value;
    } catch (error) {
      this.#active = false;
      runner.rollback();
      throw error;
    } finally {
      this.#active = false;
      this.#stop = undefined;
      clearTimeout(timer);
      this.#signal?.removeEventListener('abort', onAbort);
    }
  }

  #handle(): AsyncTransaction {
    const tx = this.#runner.transaction;
    const guard = () => {
      if (!this.#active) throw finished();
    };
    const handle: AsyncTransaction = Object.freeze({
      run: (sql: string, params?: SqliteParams): SqliteRunResult => {
        guard();
        return tx.run(sql, params);
      },
      get: <Row = SqliteRow>(sql: string, params?: SqliteParams) => {
        guard();
        return tx.get<Row>(sql, params);
      },
      all: <Row = SqliteRow>(sql: string, params?: SqliteParams) => {
        guard();
        return tx.all<Row>(sql, params);
      },
      iterate: <Row = SqliteRow>(sql: string, params?: SqliteParams) => {
        guard();
        return tx.iterate<Row>(sql, params);
      },
      exec: (sql: string) => {
        guard();
        tx.exec(sql);
      },
      transaction: <T>(fn: (inner: AsyncTransaction) => Promise<T> | T) =>
        this.#savepoint(handle, fn),
    });
    return handle;
  }

  async #savepoint<T>(
    handle: AsyncTransaction,
    fn: (tx: AsyncTransaction) => Promise<T> | T,
  ): Promise<T> {
    if (!this.#active) throw finished();
    const name = `wk_async_sp_${++this.#savepoints}`;
    const connection = this.#runner.connection;
    connection.exec(`SAVEPOINT ${name}`);
    try {
      const value = await fn(handle);
      if (!this.#active) throw finished();
      connection.exec(`RELEASE ${name}`);
      return value;
    } catch (error) {
      if (this.#active && connection.inTransaction)
        connection.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw error;
    }
  }
}
