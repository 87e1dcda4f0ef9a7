import {
  type SqliteConnection,
  type SqliteDriver,
  SqliteError,
  type SqliteOpenOptions,
  type SqliteParams,
  type SqliteRow,
  type SqliteRunResult,
  type SqliteStatement,
} from './driver.js';

/**
 * What an adapter declares about its native binding: the calls that differ between drivers,
 * nothing else. `defineDriver` wraps them once (errors normalised to `SqliteError`, `null`
 * rows to `undefined`, pragma rows, statement finalisation on close), as Kysely's
 * `RuntimeDriver` wraps a dialect's driver, so no adapter repeats that work.
 */
export interface NativeBinding<Db, Stmt> {
  readonly name: string;
  /** The adapter's own module URL (`import.meta.url`): worker threads import it. */
  readonly module: string;
  /** Structured-clonable options that the module's `createDriver` rebuilds the driver from. */
  readonly options: Readonly<Record<string, unknown>>;
  open(path: string, options: { readonly: boolean; fileMustExist: boolean }): Db;
  /** SQLite's code name for a native error (`SQLITE_BUSY`), or undefined when it is not SQLite's. */
  sqliteCode(error: unknown): string | undefined;
  exec(db: Db, sql: string): void;
  prepare(db: Db, sql: string): Stmt;
  inTransaction(db: Db): boolean;
  close(db: Db): void;
  /** True when the statement returns rows (a SELECT, RETURNING, most pragmas). */
  returnsData(statement: Stmt): boolean;
  /** `sqlite3_stmt_readonly`: the statement makes no direct change to the database file. */
  readonly(statement: Stmt): boolean;
  run(statement: Stmt, params: SqliteParams | undefined): SqliteRunResult;
  /** The first row; `null` and `undefined` both mean none. */
  get(statement: Stmt, params: SqliteParams | undefined): SqliteRow | null | undefined;
  all(statement: Stmt, params: SqliteParams | undefined): SqliteRow[];
  iterate(statement: Stmt, params: SqliteParams | undefined): IterableIterator<SqliteRow>;
  /**
   * Frees a statement now. Declare it when the driver's close waits for unfinalised
   * statements (bun:sqlite's `sqlite3_close_v2`): every statement still alive is then
   * finalised before the connection closes.
   */
  finalize?(statement: Stmt): void;
}

/** Builds a driver for `openWalkeeper({ driver })` from an adapter's native binding. */
export function defineDriver<Db, Stmt>(binding: NativeBinding<Db, Stmt>): SqliteDriver<Db> {
  const toSqliteError = (error: unknown): unknown => {
    const code = binding.sqliteCode(error);
    if (code === undefined) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new SqliteError(message, code, { cause: error });
  };
  return Object.freeze({
    specificationVersion: 'v1' as const,
    name: binding.name,
    module: binding.module,
    options: Object.freeze({ ...binding.options }),
    open(path: string, options: SqliteOpenOptions = {}): SqliteConnection<Db> {
      try {
        const db = binding.open(path, {
          readonly: options.readonly ?? false,
          fileMustExist: options.fileMustExist ?? false,
        });
        return new Connection(binding, db, toSqliteError);
      } catch (error) {
        throw toSqliteError(error);
      }
    },
  });
}

type Normalise = (error: unknown) => unknown;

class Connection<Db, Stmt> implements SqliteConnection<Db> {
  readonly raw: Db;
  readonly #binding: NativeBinding<Db, Stmt>;
  readonly #normalise: Normalise;
  /** Statements not yet finalised, tracked only when the binding can finalise them. */
  readonly #live: Set<Statement<Db, Stmt>> | undefined;

  constructor(binding: NativeBinding<Db, Stmt>, raw: Db, normalise: Normalise) {
    this.raw = raw;
    this.#binding = binding;
    this.#normalise = normalise;
    this.#live = binding.finalize === undefined ? undefined : new Set();
  }

  get inTransaction(): boolean {
    return this.#binding.inTransaction(this.raw);
  }

  exec(sql: string): void {
    try {
      this.#binding.exec(this.raw, sql);
    } catch (error) {
      throw this.#normalise(error);
    }
  }

  prepare<Row = SqliteRow>(sql: string): SqliteStatement<Row> {
    let native: Stmt;
    try {
      native = this.#binding.prepare(this.raw, sql);
    } catch (error) {
      throw this.#normalise(error);
    }
    const statement = new Statement(this.#binding, native, this.#normalise, this.#live);
    this.#live?.add(statement);
    return statement as unknown as SqliteStatement<Row>;
  }

  /** Assignments return no rows: they run; everything else gives its rows. */
  pragma(source: string): SqliteRow[] {
    const statement = this.prepare(`PRAGMA ${source}`);
    try {
      if (statement.returnsData) return statement.all();
      statement.run();
      return [];
    } finally {
      statement.finalize?.();
    }
  }

  close(): void {
    if (this.#live !== undefined) {
      for (const statement of this.#live) statement.finalize();
    }
    this.#binding.close(this.raw);
  }
}

class Statement<Db, Stmt> implements SqliteStatement {
  readonly returnsData: boolean;
  readonly #binding: NativeBinding<Db, Stmt>;
  readonly #native: Stmt;
  readonly #normalise: Normalise;
  readonly #live: Set<Statement<Db, Stmt>> | undefined;

  constructor(
    binding: NativeBinding<Db, Stmt>,
    native: Stmt,
    normalise: Normalise,
    live: Set<Statement<Db, Stmt>> | undefined,
  ) {
    this.#binding = binding;
    this.#native = native;
    this.#normalise = normalise;
    this.#live = live;
    this.returnsData = binding.returnsData(native);
  }

  #readonly: boolean | undefined;
  /** Asked for lazily: a driver without `sqlite3_stmt_readonly` works it out at a cost. */
  get readonly(): boolean {
    this.#readonly ??= this.#binding.readonly(this.#native);
    return this.#readonly;
  }

  run(params?: SqliteParams): SqliteRunResult {
    try {
      return this.#binding.run(this.#native, params);
    } catch (error) {
      throw this.#normalise(error);
    }
  }

  get(params?: SqliteParams): SqliteRow | undefined {
    try {
      return this.#binding.get(this.#native, params) ?? undefined;
    } catch (error) {
      throw this.#normalise(error);
    }
  }

  all(params?: SqliteParams): SqliteRow[] {
    try {
      return this.#binding.all(this.#native, params);
    } catch (error) {
      throw this.#normalise(error);
    }
  }

  *iterate(params?: SqliteParams): IterableIterator<SqliteRow> {
    try {
      yield* this.#binding.iterate(this.#native, params);
    } catch (error) {
      throw this.#normalise(error);
    }
  }

  finalize(): void {
    // Without tracking the driver frees statements itself (garbage collection).
    if (this.#live?.delete(this)) this.#binding.finalize?.(this.#native);
  }
}
