import type { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import type { SqliteDriver, SqliteRunResult } from '@walkeeper/core';
import { defineDriver } from '@walkeeper/core/plugin-kit';
import { loadNodeSqlite } from './load.js';
import { isReadonly } from './readonly.js';
import { resultCodeName } from './result-codes.js';
import { bindings, type PreparedStatement, prepared, toRow } from './statement.js';

export interface NodeSqliteOptions {
  /** Return INTEGER columns as bigint (node:sqlite's `readBigInts`). Default false. */
  readBigInts?: boolean;
}

/** node:sqlite throws `ERR_SQLITE_ERROR` with the extended result code as a number. */
function sqliteCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (code !== 'ERR_SQLITE_ERROR') return undefined;
  return typeof errcode === 'number' ? resultCodeName(errcode) : 'SQLITE_ERROR';
}

/**
 * node:sqlite has no flag to open without creating; SQLite's `mode=rw` URI parameter is one
 * (node:sqlite opens with SQLITE_OPEN_URI). Read-only opens never create a file.
 */
const existingFile = (path: string): string => `${pathToFileURL(path).href}?mode=rw`;

/** Rebuilds the driver inside a worker thread from its structured-clonable options. */
export function createDriver(
  options: Readonly<Record<string, unknown>> = {},
): SqliteDriver<DatabaseSync> {
  return nodeSqlite(options.readBigInts === true ? { readBigInts: true } : {});
}

/**
 * The node:sqlite driver for `openWalkeeper({ driver: nodeSqlite() })`. On a runtime without
 * a usable node:sqlite it throws a WalkeeperError `E_DRIVER_UNAVAILABLE`.
 */
export function nodeSqlite(options: NodeSqliteOptions = {}): SqliteDriver<DatabaseSync> {
  const { DatabaseSync } = loadNodeSqlite();
  const readBigInts = options.readBigInts ?? false;
  return defineDriver<DatabaseSync, PreparedStatement>({
    name: 'node:sqlite',
    module: import.meta.url,
    options: options.readBigInts === undefined ? {} : { readBigInts },
    open: (path, { readonly, fileMustExist }) =>
      new DatabaseSync(fileMustExist && !readonly ? existingFile(path) : path, {
        readOnly: readonly,
        // { id } binds :id, @id and $id, as better-sqlite3 and bun:sqlite (strict) bind it.
        allowBareNamedParameters: true,
        readBigInts,
      }),
    sqliteCode,
    exec: (db, sql) => db.exec(sql),
    prepare: (db, sql) => prepared(db.prepare(sql), isReadonly(db, sql)),
    inTransaction: (db) => db.isTransaction,
    // Closing finalises every statement of the connection (node:sqlite tracks them).
    close: (db) => db.close(),
    returnsData: (statement) => statement.names.length > 0,
    readonly: (statement) => statement.readonly,
    run: (statement, params) => {
      const result = statement.native.run(...bindings(params));
      // `changes` is a bigint only with readBigInts; the contract's is a number.
      if (typeof result.changes === 'number') return result as SqliteRunResult;
      return { changes: Number(result.changes), lastInsertRowid: result.lastInsertRowid };
    },
    get: (statement, params) => {
      const values = statement.native.get(...bindings(params)) as unknown[] | undefined;
      return values === undefined ? undefined : toRow(statement, values);
    },
    all: (statement, params) =>
      (statement.native.all(...bindings(params)) as unknown as unknown[][]).map((values) =>
        toRow(statement, values),
      ),
    iterate: function* (statement, params) {
      const rows = statement.native.iterate(...bindings(params)) as Iterable<unknown[]>;
      for (const values of rows) yield toRow(statement, values);
    },
  });
}
