import {
  isBusyError,
  type SqliteConnection,
  type SqliteParams,
  type SqliteStatement,
  WalkeeperError,
  type WriteTransaction,
} from '@walkeeper/core';
import type { DedicatedSession } from './session.js';

const CACHE_LIMIT = 256;

/**
 * A session over one plain connection: `BEGIN IMMEDIATE` transactions as walkeeper's writer
 * runs them, and autocommit statements between them.
 */
export class ConnectionSession implements DedicatedSession {
  readonly #connection: SqliteConnection;
  readonly #owned: boolean;
  readonly #statements = new Map<string, SqliteStatement>();
  readonly #tx: WriteTransaction;
  #active = false;

  /** `owned`: close the connection with the session. */
  constructor(connection: SqliteConnection, owned: boolean) {
    this.#connection = connection;
    this.#owned = owned;
    this.#tx = this.#createTransaction();
  }

  write<T>(fn: (tx: WriteTransaction) => T): T {
    return this.#transaction('BEGIN IMMEDIATE', fn);
  }

  read<T>(fn: (tx: WriteTransaction) => T): T {
    return this.#transaction('BEGIN', fn);
  }

  dedicated<T>(fn: (session: DedicatedSession) => T): T {
    return fn(this);
  }

  exec(sql: string): void {
    this.#connection.exec(sql);
  }

  foreignKeys(): boolean {
    const row = this.#connection.pragma('foreign_keys')[0] ?? {};
    return Number(Object.values(row)[0]) === 1;
  }

  setForeignKeys(on: boolean): void {
    this.#connection.pragma(`foreign_keys = ${on ? 'ON' : 'OFF'}`);
  }

  close(): void {
    if (this.#owned) this.#connection.close();
  }

  #transaction<T>(begin: string, fn: (tx: WriteTransaction) => T): T {
    const connection = this.#connection;
    try {
      connection.exec(begin);
    } catch (error) {
      if (!isBusyError(error)) throw error;
      throw new WalkeeperError(
        'E_BUSY',
        'The database stayed locked by another writer for the whole busy timeout.',
        { cause: error, sqliteCode: (error as { code: string }).code },
      );
    }
    this.#active = true;
    try {
      const result = fn(this.#tx);
      if (isThenable(result)) {
        throw new WalkeeperError(
          'E_ASYNC_WRITE',
          'Migration steps must be synchronous: the transaction would stay open across an await.',
        );
      }
      connection.exec('COMMIT');
      return result;
    } catch (error) {
      if (connection.inTransaction) connection.exec('ROLLBACK');
      throw error;
    } finally {
      this.#active = false;
    }
  }

  #statement(sql: string): SqliteStatement {
    this.#assertActive();
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      if (this.#statements.size >= CACHE_LIMIT) this.#statements.clear();
      statement = this.#connection.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #assertActive(): void {
    if (!this.#active) {
      throw new WalkeeperError(
        'E_CLOSED',
        'This transaction has finished; use the tx only inside its migration step.',
      );
    }
  }

  #createTransaction(): WriteTransaction {
    return Object.freeze({
      run: (sql: string, params?: SqliteParams) => this.#statement(sql).run(params),
      get: <Row>(sql: string, params?: SqliteParams) =>
        this.#statement(sql).get(params) as Row | undefined,
      all: <Row>(sql: string, params?: SqliteParams) => this.#statement(sql).all(params) as Row[],
      iterate: <Row>(sql: string, params?: SqliteParams) =>
        this.#statement(sql).iterate(params) as IterableIterator<Row>,
      exec: (sql: string) => {
        this.#assertActive();
        this.#connection.exec(sql);
      },
    });
  }
}

export function isThenable(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
