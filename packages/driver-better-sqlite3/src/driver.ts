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
import Database from 'better-sqlite3';

export interface BetterSqlite3Options {
  /** Path to a better-sqlite3 native addon (`.node`) to load instead of the bundled one. */
  nativeBinding?: string;
}

type NativeDatabase = Database.Database;
type NativeStatement = Database.Statement<unknown[], SqliteRow>;

/** better-sqlite3 already uses SQLite's code names; this only changes the error's class. */
function normalise(error: unknown): unknown {
  if (error instanceof Database.SqliteError)
    return new SqliteError(error.message, error.code, { cause: error });
  return error;
}

class BetterSqlite3Statement implements SqliteStatement {
  readonly #statement: NativeStatement;
  readonly returnsData: boolean;

  constructor(statement: NativeStatement) {
    this.#statement = statement;
    this.returnsData = statement.reader;
  }

  run(params?: SqliteParams): SqliteRunResult {
    try {
      return params === undefined ? this.#statement.run() : this.#statement.run(params);
    } catch (error) {
      throw normalise(error);
    }
  }

  get(params?: SqliteParams): SqliteRow | undefined {
    try {
      return params === undefined ? this.#statement.get() : this.#statement.get(params);
    } catch (error) {
      throw normalise(error);
    }
  }

  all(params?: SqliteParams): SqliteRow[] {
    try {
      return params === undefined ? this.#statement.all() : this.#statement.all(params);
    } catch (error) {
      throw normalise(error);
    }
  }

  *iterate(params?: SqliteParams): IterableIterator<SqliteRow> {
    try {
      yield* params === undefined ? this.#statement.iterate() : this.#statement.iterate(params);
    } catch (error) {
      throw normalise(error);
    }
  }
}

class BetterSqlite3Connection implements SqliteConnection<NativeDatabase> {
  readonly raw: NativeDatabase;

  constructor(raw: NativeDatabase) {
    this.raw = raw;
  }

  get inTransaction(): boolean {
    return this.raw.inTransaction;
  }

  exec(sql: string): void {
    try {
      this.raw.exec(sql);
    } catch (error) {
      throw normalise(error);
    }
  }

  prepare<Row = SqliteRow>(sql: string): SqliteStatement<Row> {
    try {
      return new BetterSqlite3Statement(this.raw.prepare(sql)) as unknown as SqliteStatement<Row>;
    } catch (error) {
      throw normalise(error);
    }
  }

  pragma(source: string): SqliteRow[] {
    try {
      return this.raw.pragma(source) as SqliteRow[];
    } catch (error) {
      throw normalise(error);
    }
  }

  close(): void {
    this.raw.close();
  }
}

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
  const frozen = Object.freeze({ ...options });
  return Object.freeze({
    specificationVersion: 'v1' as const,
    name: 'better-sqlite3',
    module: import.meta.url,
    options: frozen,
    open(path: string, openOptions: SqliteOpenOptions = {}): SqliteConnection<NativeDatabase> {
      try {
        const raw = new Database(path, {
          readonly: openOptions.readonly ?? false,
          fileMustExist: openOptions.fileMustExist ?? false,
          ...(frozen.nativeBinding === undefined ? {} : { nativeBinding: frozen.nativeBinding }),
        });
        return new BetterSqlite3Connection(raw);
      } catch (error) {
        throw normalise(error);
      }
    },
  });
}
