import type { SqliteConnection, WriteTransaction } from '@walkeeper/core';
import { TransactionRunner } from '@walkeeper/core/plugin-kit';
import type { DedicatedSession } from './session.js';

/**
 * A session over one plain connection: transactions through core's `TransactionRunner` (the
 * writer's `BEGIN IMMEDIATE`, `E_BUSY`, async-callback guard and statement cache), and
 * autocommit statements between them.
 */
export class ConnectionSession implements DedicatedSession {
  readonly #connection: SqliteConnection;
  readonly #runner: TransactionRunner;

  /** The session owns `connection`: `close()` closes it. */
  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    this.#runner = new TransactionRunner(connection, { label: 'migration step' });
  }

  write<T>(fn: (tx: WriteTransaction) => T): T {
    return this.#runner.write(fn);
  }

  read<T>(fn: (tx: WriteTransaction) => T): T {
    return this.#runner.read(fn);
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
    this.#connection.close();
  }
}
