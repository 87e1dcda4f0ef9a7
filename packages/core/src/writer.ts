import {
  isBusyError,
  type SqliteConnection,
  type SqliteParams,
  type SqliteRow,
  type SqliteRunResult,
  type SqliteStatement,
} from './driver.js';
import { WalkeeperError } from './errors.js';
import { sleepSync } from './internal/sleep-sync.js';
import type { Metrics } from './metrics.js';
import { StatementCache } from './statement-cache.js';

/** The handle a `write()` callback gets: statements on the writer, inside its transaction. */
export interface WriteTransaction {
  run(sql: string, params?: SqliteParams): SqliteRunResult;
  get<Row = SqliteRow>(sql: string, params?: SqliteParams): Row | undefined;
  all<Row = SqliteRow>(sql: string, params?: SqliteParams): Row[];
  iterate<Row = SqliteRow>(sql: string, params?: SqliteParams): IterableIterator<Row>;
  /** Runs SQL text without parameters (several statements allowed), uncached. */
  exec(sql: string): void;
}

export interface WriterHooks {
  /** After a top-level transaction commits or fails; undefined error means committed. */
  afterTransaction(durationMs: number, error: unknown): void;
}

const BACKOFF_MS = [5, 20, 50, 100, 200];

/**
 * The single writer connection. Every transaction starts with BEGIN IMMEDIATE, so the write
 * lock is taken up front and a transaction never fails later on a deferred read-to-write
 * upgrade (SQLITE_BUSY_SNAPSHOT). Nested `write()` calls become savepoints.
 */
export class Writer {
  readonly connection: SqliteConnection;
  readonly #cache: StatementCache;
  readonly #metrics: Metrics;
  readonly #retries: number;
  readonly #hooks: WriterHooks;
  readonly #begin: SqliteStatement;
  readonly #commit: SqliteStatement;
  readonly #rollback: SqliteStatement;
  #depth = 0;
  readonly #tx: WriteTransaction;

  constructor(
    connection: SqliteConnection,
    cacheSize: number,
    retries: number,
    metrics: Metrics,
    hooks: WriterHooks,
  ) {
    this.connection = connection;
    this.#cache = new StatementCache(connection, cacheSize);
    this.#metrics = metrics;
    this.#retries = retries;
    this.#hooks = hooks;
    this.#begin = connection.prepare('BEGIN IMMEDIATE');
    this.#commit = connection.prepare('COMMIT');
    this.#rollback = connection.prepare('ROLLBACK');
    this.#tx = this.#createTransaction();
  }

  get statementCache(): StatementCache {
    return this.#cache;
  }

  write<T>(fn: (tx: WriteTransaction) => T): T {
    if (this.#depth > 0) return this.#savepoint(fn);
    const started = performance.now();
    this.#beginImmediate();
    this.#depth = 1;
    let result: T;
    try {
      result = fn(this.#tx);
      if (isThenable(result)) {
        throw new WalkeeperError(
          'E_ASYNC_WRITE',
          'write() callbacks must be synchronous: the transaction would stay open across an await. Do the async work first, then write.',
        );
      }
      this.#commit.run();
    } catch (error) {
      if (this.connection.inTransaction) this.#rollback.run();
      this.#depth = 0;
      this.#metrics.writeErrors++;
      this.#hooks.afterTransaction(performance.now() - started, error);
      throw error;
    }
    this.#depth = 0;
    const duration = performance.now() - started;
    this.#metrics.writes++;
    this.#metrics.writeLatency.record(duration);
    this.#hooks.afterTransaction(duration, undefined);
    return result;
  }

  get inTransaction(): boolean {
    return this.#depth > 0;
  }

  #beginImmediate(): void {
    for (let attempt = 0; ; attempt++) {
      try {
        this.#begin.run();
        return;
      } catch (error) {
        if (!isBusyError(error)) throw error;
        if (attempt >= this.#retries) {
          throw new WalkeeperError(
            'E_BUSY',
            `The database stayed locked by another writer after ${attempt + 1} attempts (busy timeout included).`,
            { cause: error, sqliteCode: (error as { code: string }).code },
          );
        }
        this.#metrics.busyRetries++;
        sleepSync(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!);
      }
    }
  }

  #savepoint<T>(fn: (tx: WriteTransaction) => T): T {
    const name = `wk_sp_${this.#depth}`;
    this.connection.exec(`SAVEPOINT ${name}`);
    this.#depth++;
    try {
      const result = fn(this.#tx);
      if (isThenable(result)) {
        throw new WalkeeperError(
          'E_ASYNC_WRITE',
          'write() callbacks must be synchronous, nested ones too.',
        );
      }
      this.connection.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      this.connection.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw error;
    } finally {
      this.#depth--;
    }
  }

  #createTransaction(): WriteTransaction {
    const cache = this.#cache;
    const guard = () => {
      if (this.#depth === 0) {
        throw new WalkeeperError(
          'E_CLOSED',
          'This transaction has finished; use the tx only inside its write() callback.',
        );
      }
    };
    return Object.freeze({
      run: (sql: string, params?: SqliteParams) => {
        guard();
        return cache.get(sql).run(params);
      },
      get: <Row>(sql: string, params?: SqliteParams) => {
        guard();
        return cache.get(sql).get(params) as Row | undefined;
      },
      all: <Row>(sql: string, params?: SqliteParams) => {
        guard();
        return cache.get(sql).all(params) as Row[];
      },
      iterate: <Row>(sql: string, params?: SqliteParams) => {
        guard();
        return cache.get(sql).iterate(params) as IterableIterator<Row>;
      },
      exec: (sql: string) => {
        guard();
        this.connection.exec(sql);
      },
    });
  }
}

function isThenable(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
