import type { WriteTransaction } from '@walkeeper/core';

/**
 * What the runner needs from a database, whether it is an open Walkeeper or a plain
 * connection: write transactions, and a connection of its own for what SQLite ignores or
 * refuses inside a transaction.
 */
export interface Session {
  /** Runs `fn` in `BEGIN IMMEDIATE` and commits, or rolls back when it throws. */
  write<T>(fn: (tx: WriteTransaction) => T): T;
  /** Runs `fn` in a read transaction (it may take the write lock, briefly, to do so). */
  read<T>(fn: (tx: WriteTransaction) => T): T;
  /** Runs `fn` with a connection that is outside any transaction between its writes. */
  dedicated<T>(fn: (session: DedicatedSession) => T): T;
  close(): void;
}

/** A session on one connection that this package controls, between transactions. */
export interface DedicatedSession extends Session {
  /** Runs SQL in autocommit mode, outside any transaction. */
  exec(sql: string): void;
  foreignKeys(): boolean;
  /** `PRAGMA foreign_keys`, which only takes effect outside a transaction. */
  setForeignKeys(on: boolean): void;
}
