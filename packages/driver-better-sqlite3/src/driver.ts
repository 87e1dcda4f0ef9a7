import type { SqliteDriver, SqliteParams, SqliteRow } from '@walkeeper/core';
import { defineDriver } from '@walkeeper/core/plugin-kit';
import Database from 'better-sqlite3';

export interface BetterSqlite3Options {
  /** Path to a better-sqlite3 native addon (`.node`) to load instead of the bundled one. */
  nativeBinding?: string;
}

type NativeDatabase = Database.Database;
type NativeStatement = Database.Statement<unknown[], SqliteRow>;

type Bindable = Parameters<NativeStatement['run']>[0];
/** better-sqlite3 binds an array positionally and an object by name, as one argument. */
const bind = (params: SqliteParams): Bindable => params as Bindable;

/** Rebuilds the driver inside a worker thread from its structured-clonable options. */
export function createDriver(
  options: Readonly<Record<string, unknown>> = {},
): SqliteDriver<NativeDatabase> {
  const nativeBinding =
    typeof options.nativeBinding === 'string' ? options.nativeBinding : undefined;
  return betterSqlite3(nativeBinding === undefined ? {} : { nativeBinding });
}

/** The better-sqlite3 driver for `openWalkeeper({ driver: betterSqlite3() })`. */
export function betterSqlite3(options: BetterSqlite3Options = {}): SqliteDriver<NativeDatabase> {
  const { nativeBinding } = options;
  return defineDriver<NativeDatabase, NativeStatement>({
    name: 'better-sqlite3',
    module: import.meta.url,
    options: nativeBinding === undefined ? {} : { nativeBinding },
    open: (path, { readonly, fileMustExist }) =>
      new Database(path, {
        readonly,
        fileMustExist,
        ...(nativeBinding === undefined ? {} : { nativeBinding }),
      }),
    // better-sqlite3 already uses SQLite's code names.
    sqliteCode: (error) => (error instanceof Database.SqliteError ? error.code : undefined),
    exec: (db, sql) => void db.exec(sql),
    prepare: (db, sql) => db.prepare<unknown[], SqliteRow>(sql),
    inTransaction: (db) => db.inTransaction,
    close: (db) => void db.close(),
    returnsData: (statement) => statement.reader,
    readonly: (statement) => statement.readonly,
    run: (statement, params) =>
      params === undefined ? statement.run() : statement.run(bind(params)),
    get: (statement, params) =>
      params === undefined ? statement.get() : statement.get(bind(params)),
    all: (statement, params) =>
      params === undefined ? statement.all() : statement.all(bind(params)),
    iterate: (statement, params) =>
      params === undefined ? statement.iterate() : statement.iterate(bind(params)),
  });
}
