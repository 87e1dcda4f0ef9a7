import type { Walkeeper } from '@walkeeper/core';
import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { WalkeeperDriver } from './driver.js';

export interface WalkeeperDialectConfig {
  /** An open walkeeper; the application closes it after `db.destroy()`. */
  walkeeper: Walkeeper;
}

/**
 * Kysely's SQLite adapter, with two differences. It declares multiple connections: Kysely
 * would otherwise serialise every connection behind one lock and reads would wait for
 * commits; walkeeper enforces the single writer itself. And DDL is transactional (SQLite's
 * is), so Kysely's Migrator runs inside one `BEGIN IMMEDIATE` transaction: the write lock is
 * the migration lock, across processes too.
 */
class WalkeeperAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }

  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** `new Kysely<DB>({ dialect: new WalkeeperDialect({ walkeeper: wk }) })`. */
export class WalkeeperDialect implements Dialect {
  readonly #walkeeper: Walkeeper;

  constructor(config: WalkeeperDialectConfig) {
    this.#walkeeper = config.walkeeper;
  }

  createDriver(): Driver {
    return new WalkeeperDriver(this.#walkeeper);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new WalkeeperAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
