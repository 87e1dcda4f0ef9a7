import type { Database, SQLQueryBindings, Statement } from 'bun:sqlite';
import {
  type SqliteConnection,
  type SqliteDriver,
  SqliteError,
  type SqliteOpenOptions,
  type SqliteParams,
  type SqliteRow,
  type SqliteRunResult,
  type SqliteStatement,
} from '@walkeeper/core';
import { bunSqliteModule } from './bun-sqlite-module.js';

export interface BunSqliteOptions {
  /** Return INTEGER columns as bigint (bun:sqlite's `safeIntegers`). Default false. */
  safeIntegers?: boolean;
}

type NativeStatement = Statement<SqliteRow, SQLQueryBindings[]>;

/** bun:sqlite's SQLiteError carries SQLite's code name already; only the class changes. */
function normalise(error: unknown): unknown {
  if (error instanceof Error && error.name === 'SQLiteError') {
    const code = (error as { code?: unknown }).code;
    return new SqliteError(error.message, typeof code === 'string' ? code : 'SQLITE_ERROR', {
      cause: error,
    });
  }
  return error;
}

/** Arrays are spread (bun:sqlite binds positional values as arguments); objects pass as they are. */
function bindings(params: SqliteParams | undefined): SQLQueryBindings[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params as SQLQueryBindings[];
  return [params as SQLQueryBindings];
}

class BunStatement implements SqliteStatement {
  readonly #statement: NativeStatement;
  readonly #live: Set<NativeStatement>;
  readonly returnsData: boolean;

  constructor(statement: NativeStatement, live: Set<NativeStatement>) {
    this.#statement = statement;
    this.#live = live;
    live.add(statement);
    this.returnsData = statement.columnNames.length > 0;
  }

  finalize(): void {
    if (this.#live.delete(this.#statement)) this.#statement.finalize();
  }

  run(params?: SqliteParams): SqliteRunResult {
    try {
      const { changes, lastInsertRowid } = this.#statement.run(...bindings(params));
      return { changes, lastInsertRowid };
    } catch (error) {
      throw normalise(error);
    }
  }

  get(params?: SqliteParams): SqliteRow | undefined {
    try {
      // bun:sqlite gives null for no row; the contract says undefined.
      return this.#statement.get(...bindings(params)) ?? undefined;
    } catch (error) {
      throw normalise(error);
    }
  }

  all(params?: SqliteParams): SqliteRow[] {
    try {
      return this.#statement.all(...bindings(params));
    } catch (error) {
      throw normalise(error);
    }
  }

  *iterate(params?: SqliteParams): IterableIterator<SqliteRow> {
    try {
      yield* this.#statement.iterate(...bindings(params));
    } catch (error) {
      throw normalise(error);
    }
  }
}

class BunConnection implements SqliteConnection<Database> {
  readonly raw: Database;
  /**
   * Statements not yet finalized. bun:sqlite closes with sqlite3_close_v2, which keeps the
   * connection alive (and the -wal file on disk) until every statement is finalized.
   */
  readonly #live = new Set<NativeStatement>();

  constructor(raw: Database) {
    this.raw = raw;
  }

  get inTransaction(): boolean {
    return this.raw.inTransaction;
  }

  exec(sql: string): void {
    try {
      this.raw.run(sql);
    } catch (error) {
      throw normalise(error);
    }
  }

  prepare<Row = SqliteRow>(sql: string): SqliteStatement<Row> {
    try {
      return new BunStatement(this.raw.prepare(sql), this.#live) as unknown as SqliteStatement<Row>;
    } catch (error) {
      throw normalise(error);
    }
  }

  pragma(source: string): SqliteRow[] {
    try {
      const statement = this.raw.prepare<SqliteRow, []>(`PRAGMA ${source}`);
      try {
        return statement.all();
      } finally {
        statement.finalize();
      }
    } catch (error) {
      throw normalise(error);
    }
  }

  close(): void {
    for (const statement of this.#live) statement.finalize();
    this.#live.clear();
    this.raw.close();
  }
}

/** Rebuilds the driver inside a worker thread from its structured-clonable options. */
export function createDriver(
  options: Readonly<Record<string, unknown>> = {},
): SqliteDriver<Database> {
  return bunSqlite(options.safeIntegers === true ? { safeIntegers: true } : {});
}

/**
 * The bun:sqlite driver for `openWalkeeper({ driver: bunSqlite() })`. Runs under Bun only:
 * elsewhere it throws `E_DRIVER`.
 */
export function bunSqlite(options: BunSqliteOptions = {}): SqliteDriver<Database> {
  const { Database } = bunSqliteModule();
  const frozen = Object.freeze({ ...options });
  return Object.freeze({
    specificationVersion: 'v1' as const,
    name: 'bun:sqlite',
    module: import.meta.url,
    options: frozen,
    open(path: string, openOptions: SqliteOpenOptions = {}): SqliteConnection<Database> {
      const readonly = openOptions.readonly ?? false;
      try {
        const raw = new Database(path, {
          readonly,
          create: !readonly && !(openOptions.fileMustExist ?? false),
          readwrite: !readonly,
          // Bare named parameters ({ id } for :id, @id, $id), as better-sqlite3 binds them.
          strict: true,
          safeIntegers: frozen.safeIntegers ?? false,
        });
        return new BunConnection(raw);
      } catch (error) {
        throw normalise(error);
      }
    },
  });
}
