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

/**
 * A callback result that is not a Promise: `write(async () => …)` fails to compile, because
 * a transaction cannot stay open across an await.
 */
export type Synchronous<T> =
  T extends PromiseLike<unknown>
    ? { 'a write callback must be synchronous; use batch() or transaction()': never }
    : T;

export interface TransactionRunnerOptions {
  /** Prepared statements kept per SQL text (least recently used go first). Default 256. */
  statementCacheSize?: number;
  /** Further `BEGIN IMMEDIATE` attempts after SQLITE_BUSY, each after the busy timeout. Default 0. */
  busyRetries?: number;
  /** Called before each retry (for a counter). */
  onBusyRetry?(): void;
  /** How error messages name the caller's API, such as `write()` or `a migration step`. */
  label?: string;
}

const BACKOFF_MS = [5, 20, 50, 100, 200];

const CONTROL = [
  'BEGIN IMMEDIATE',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT wk_member',
  'RELEASE wk_member',
  'ROLLBACK TO wk_member',
] as const;
type ControlStatement = (typeof CONTROL)[number];

/**
 * Transactions on any `SqliteConnection` as walkeeper's writer runs them: `BEGIN IMMEDIATE`
 * (the write lock taken up front, so a transaction never fails later on a read-to-write
 * upgrade), busy retries with backoff, `E_BUSY` when the lock never comes, nested calls as
 * savepoints, a guard against async callbacks and against using `tx` after its transaction,
 * and a statement cache. Plugins and tools that hold their own connection (migrations, the
 * CLI) use it instead of writing their own.
 */
export class TransactionRunner {
  readonly connection: SqliteConnection;
  /** The handle passed to callbacks; it throws outside a transaction. */
  readonly transaction: WriteTransaction;
  readonly #cache: StatementCache;
  readonly #retries: number;
  readonly #onBusyRetry: (() => void) | undefined;
  readonly #label: string;
  /** Prepared once: preparing costs more than running them. */
  readonly #control: Record<ControlStatement, SqliteStatement>;
  #depth = 0;

  constructor(connection: SqliteConnection, options: TransactionRunnerOptions = {}) {
    this.connection = connection;
    this.#cache = new StatementCache(connection, options.statementCacheSize ?? 256);
    this.#retries = options.busyRetries ?? 0;
    this.#onBusyRetry = options.onBusyRetry;
    this.#label = options.label ?? 'write()';
    this.transaction = this.#createTransaction();
    this.#control = Object.fromEntries(
      CONTROL.map((sql) => [sql, connection.prepare(sql)]),
    ) as Record<ControlStatement, SqliteStatement>;
  }

  /** Inside a transaction started by this runner. */
  get inTransaction(): boolean {
    return this.#depth > 0;
  }

  /** `fn` in `BEGIN IMMEDIATE … COMMIT` (a savepoint when nested); rolled back when it throws. */
  write<T>(fn: (tx: WriteTransaction) => T): T {
    return this.#depth > 0 ? this.savepoint(fn) : this.#top('BEGIN IMMEDIATE', fn);
  }

  /** `fn` in a deferred `BEGIN … COMMIT`: one consistent snapshot for several reads. */
  read<T>(fn: (tx: WriteTransaction) => T): T {
    return this.#depth > 0 ? this.savepoint(fn) : this.#top('BEGIN', fn);
  }

  /** Starts `BEGIN IMMEDIATE` for a transaction that ends later with `commit()` or `rollback()`. */
  begin(): void {
    this.#begin('BEGIN IMMEDIATE');
    this.#depth = 1;
  }

  commit(): void {
    this.#depth = 0;
    this.#control.COMMIT.run();
  }

  /** Rolls back whatever is open; safe after SQLite has already rolled back on its own. */
  rollback(): void {
    this.#depth = 0;
    if (this.connection.inTransaction) this.#control.ROLLBACK.run();
  }

  /** `fn` inside a SAVEPOINT of the open transaction: a throw undoes only its statements. */
  savepoint<T>(fn: (tx: WriteTransaction) => T): T {
    const name = `wk_sp_${this.#depth}`;
    this.connection.exec(`SAVEPOINT ${name}`);
    this.#depth++;
    try {
      const result = this.#synchronous(fn(this.transaction));
      this.connection.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      // A failed COMMIT-level error (disk full) may have ended the transaction already.
      if (this.connection.inTransaction)
        this.connection.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw error;
    } finally {
      this.#depth--;
    }
  }

  /**
   * `fn` as one member of a group commit, inside the open transaction: its own savepoint
   * (prepared once, so a member costs three statement steps), so a throw undoes only its
   * statements and the group goes on.
   */
  member<T>(fn: (tx: WriteTransaction) => T): T {
    this.#control['SAVEPOINT wk_member'].run();
    this.#depth++;
    try {
      const result = this.#synchronous(fn(this.transaction));
      this.#control['RELEASE wk_member'].run();
      return result;
    } catch (error) {
      if (this.connection.inTransaction) {
        this.#control['ROLLBACK TO wk_member'].run();
        this.#control['RELEASE wk_member'].run();
      }
      throw error;
    } finally {
      this.#depth--;
    }
  }

  #top<T>(begin: 'BEGIN IMMEDIATE' | 'BEGIN', fn: (tx: WriteTransaction) => T): T {
    this.#begin(begin);
    this.#depth = 1;
    try {
      const result = this.#synchronous(fn(this.transaction));
      this.#control.COMMIT.run();
      return result;
    } catch (error) {
      if (this.connection.inTransaction) this.#control.ROLLBACK.run();
      throw error;
    } finally {
      this.#depth = 0;
    }
  }

  #begin(sql: 'BEGIN IMMEDIATE' | 'BEGIN'): void {
    const begin = this.#control[sql];
    for (let attempt = 0; ; attempt++) {
      try {
        begin.run();
        return;
      } catch (error) {
        if (!isBusyError(error)) throw error;
        if (attempt >= this.#retries) {
          throw new WalkeeperError(
            'E_BUSY',
            `The database stayed locked by another writer after ${attempt + 1} attempt(s), the busy timeout included. Another process, or another walkeeper or connection on the same file in this process, holds the write lock.`,
            { cause: error, sqliteCode: (error as { code: string }).code },
          );
        }
        this.#onBusyRetry?.();
        sleepSync(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!);
      }
    }
  }

  /** Refuses a Promise: its tail would run after COMMIT, outside the transaction. */
  #synchronous<T>(result: T): T {
    if (!isThenable(result)) return result;
    // The refused callback keeps running; its rejection (a tx used after the end) must not
    // become an unhandled rejection that kills the process.
    void Promise.resolve(result).catch(() => undefined);
    throw new WalkeeperError(
      'E_ASYNC_WRITE',
      `${this.#label} callbacks must be synchronous: the transaction would stay open across an await. Do the async work first, or use batch() or transaction().`,
    );
  }

  #createTransaction(): WriteTransaction {
    const cache = this.#cache;
    const guard = () => {
      if (this.#depth === 0) {
        throw new WalkeeperError(
          'E_TRANSACTION_FINISHED',
          `This transaction has finished; use the tx only inside its ${this.#label} callback.`,
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

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
