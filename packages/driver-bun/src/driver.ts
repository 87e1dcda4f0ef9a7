import type { Database, SQLQueryBindings, Statement } from 'bun:sqlite';
import type { SqliteDriver, SqliteParams, SqliteRow } from '@walkeeper/core';
import { defineDriver } from '@walkeeper/core/plugin-kit';
import { bunSqliteModule } from './bun-sqlite-module.js';

export interface BunSqliteOptions {
  /** Return INTEGER columns as bigint (bun:sqlite's `safeIntegers`). Default false. */
  safeIntegers?: boolean;
}

type NativeStatement = Statement<SqliteRow, SQLQueryBindings[]>;

/** Arrays are spread (bun:sqlite binds positional values as arguments); objects pass as they are. */
function bindings(params: SqliteParams | undefined): SQLQueryBindings[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params as SQLQueryBindings[];
  return [params as SQLQueryBindings];
}

/** bun:sqlite's SQLiteError carries SQLite's code name already. */
function sqliteCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'SQLiteError') return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'SQLITE_ERROR';
}

/** Rebuilds the driver inside a worker thread from its structured-clonable options. */
export function createDriver(
  options: Readonly<Record<string, unknown>> = {},
): SqliteDriver<Database> {
  return bunSqlite(options.safeIntegers === true ? { safeIntegers: true } : {});
}

/**
 * The bun:sqlite driver for `openWalkeeper({ driver: bunSqlite() })`. Runs under Bun only:
 * elsewhere it throws `E_DRIVER_UNAVAILABLE`.
 */
export function bunSqlite(options: BunSqliteOptions = {}): SqliteDriver<Database> {
  const { Database } = bunSqliteModule();
  const safeIntegers = options.safeIntegers ?? false;
  return defineDriver<Database, NativeStatement>({
    name: 'bun:sqlite',
    module: import.meta.url,
    options: options.safeIntegers === undefined ? {} : { safeIntegers },
    open: (path, { readonly, fileMustExist }) =>
      new Database(path, {
        readonly,
        create: !readonly && !fileMustExist,
        readwrite: !readonly,
        // Bare named parameters ({ id } for :id, @id, $id), as better-sqlite3 binds them.
        strict: true,
        safeIntegers,
      }),
    sqliteCode,
    exec: (db, sql) => void db.run(sql),
    prepare: (db, sql) => db.prepare<SqliteRow, SQLQueryBindings[]>(sql),
    inTransaction: (db) => db.inTransaction,
    close: (db) => db.close(),
    returnsData: (statement) => statement.columnNames.length > 0,
    // Bun 1.4's Statement has `readonly` (sqlite3_stmt_readonly); its types do not say so yet.
    readonly: (statement) => (statement as unknown as { readonly: boolean }).readonly === true,
    run: (statement, params) => {
      const { changes, lastInsertRowid } = statement.run(...bindings(params));
      return { changes, lastInsertRowid };
    },
    get: (statement, params) => statement.get(...bindings(params)),
    all: (statement, params) => statement.all(...bindings(params)),
    iterate: (statement, params) => statement.iterate(...bindings(params)),
    // bun:sqlite closes with sqlite3_close_v2, which keeps the connection (and the -wal file)
    // alive until every statement is finalised.
    finalize: (statement) => statement.finalize(),
  });
}
