import type { Walkeeper } from '@walkeeper/core';
import type { DatabaseConnection, Driver } from 'kysely';
import { WalkeeperConnection } from './connection.js';

const as = (connection: DatabaseConnection) => connection as WalkeeperConnection;

/**
 * Kysely's driver over a walkeeper that the application opened and closes. Each acquired
 * connection is its own object, so reads never wait behind a transaction on another one;
 * walkeeper keeps the single writer and orders the writes.
 */
export class WalkeeperDriver implements Driver {
  readonly #walkeeper: Walkeeper;

  constructor(walkeeper: Walkeeper) {
    this.#walkeeper = walkeeper;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new WalkeeperConnection(this.#walkeeper);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await as(connection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await as(connection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await as(connection).rollback();
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    as(connection).savepointCommand('SAVEPOINT', name);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    as(connection).savepointCommand('ROLLBACK TO', name);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    as(connection).savepointCommand('RELEASE', name);
  }

  async releaseConnection(): Promise<void> {}

  /** The walkeeper belongs to the application, which closes it. */
  async destroy(): Promise<void> {}
}
