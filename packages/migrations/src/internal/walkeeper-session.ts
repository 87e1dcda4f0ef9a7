import type { SqliteConnection, Synchronous, WriteTransaction } from '@walkeeper/core';
import type { WalkeeperTarget } from '../target.js';
import { ConnectionSession } from './connection-session.js';
import { openConnection } from './open-connection.js';
import type { DedicatedSession, Session } from './session.js';

/**
 * Migrations on an open Walkeeper: transactions go through `write()`, so they take the writer's
 * `BEGIN IMMEDIATE`, retries and metrics. What needs a connection outside any transaction
 * (foreign keys off, no-transaction files) gets a short-lived connection of its own with the
 * writer's settings, so the writer's own `foreign_keys` is never touched.
 */
export class WalkeeperSession implements Session {
  readonly #walkeeper: WalkeeperTarget;

  constructor(walkeeper: WalkeeperTarget) {
    this.#walkeeper = walkeeper;
  }

  write<T>(fn: (tx: WriteTransaction) => T): T {
    // Steps are synchronous by contract (checked again at run time); the generic T cannot
    // show that to write()'s type, which refuses Promise-returning callbacks.
    return this.#walkeeper.write(fn as (tx: WriteTransaction) => Synchronous<T>);
  }

  /**
   * On a connection of its own, in a deferred transaction: it neither waits for nor takes the
   * write lock (and the Walkeeper's reads only open after plugin setup).
   */
  read<T>(fn: (tx: WriteTransaction) => T): T {
    return this.dedicated((session) => session.read(fn));
  }

  dedicated<T>(fn: (session: DedicatedSession) => T): T {
    const { path, options } = this.#walkeeper;
    const { busyTimeout, synchronous, foreignKeys, walAutocheckpoint } = options.pragmas;
    const connection: SqliteConnection = openConnection(options.driver, path, (opened) => {
      // Values validated by core's option table; only the ones a migration's commit depends on.
      opened.pragma(`busy_timeout = ${busyTimeout ?? 5000}`);
      if (synchronous !== undefined) opened.pragma(`synchronous = ${synchronous}`);
      if (foreignKeys !== undefined) opened.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
      if (walAutocheckpoint !== undefined)
        opened.pragma(`wal_autocheckpoint = ${walAutocheckpoint}`);
    });
    const session = new ConnectionSession(connection);
    try {
      return fn(session);
    } finally {
      session.close();
    }
  }

  close(): void {
    // The Walkeeper belongs to the caller.
  }
}
