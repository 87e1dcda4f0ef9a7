/**
 * The driver contract: small structural types, never a driver's own (as Kysely's
 * `SqliteDatabase`). An adapter wraps a native binding so that core sees one shape.
 */

/** Positional parameters as an array, or named parameters as an object with bare names. */
export type SqliteParams = readonly unknown[] | Readonly<Record<string, unknown>>;

export type SqliteRow = Record<string, unknown>;

export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement<Row = SqliteRow> {
  /** True when the statement returns rows (a SELECT, a RETURNING clause, most PRAGMAs). */
  readonly returnsData: boolean;
  /**
   * SQLite's `sqlite3_stmt_readonly`: the statement makes no direct change to the database
   * file. Transaction control (`BEGIN`, `COMMIT`) and some pragmas report true as well, so
   * a router must still send those to the writer.
   */
  readonly readonly: boolean;
  run(params?: SqliteParams): SqliteRunResult;
  /** The first row, or `undefined` when there is none (never `null`). */
  get(params?: SqliteParams): Row | undefined;
  all(params?: SqliteParams): Row[];
  iterate(params?: SqliteParams): IterableIterator<Row>;
  /**
   * Releases the statement now. Optional: drivers whose statements are freed by the garbage
   * collector leave it out. Core calls it when a statement leaves a cache.
   */
  finalize?(): void;
}

export interface SqliteConnection<Raw = unknown> {
  exec(sql: string): void;
  prepare<Row = SqliteRow>(sql: string): SqliteStatement<Row>;
  /**
   * Runs `PRAGMA <source>` and returns its rows. `source` is built by core from a fixed
   * table, never from user input.
   */
  pragma(source: string): SqliteRow[];
  close(): void;
  readonly inTransaction: boolean;
  /** The native handle (a better-sqlite3 `Database`, a `bun:sqlite` `Database`). */
  readonly raw: Raw;
}

export interface SqliteOpenOptions {
  readonly?: boolean;
  /** Fail instead of creating the file. */
  fileMustExist?: boolean;
}

export interface SqliteDriver<Raw = unknown> {
  readonly specificationVersion: 'v1';
  readonly name: string;
  /**
   * A module specifier (an absolute `file:` URL in practice) that a worker thread imports
   * to open its own connection. The module exports `createDriver(options)`.
   */
  readonly module: string;
  /** Structured-clonable options passed to `createDriver` inside a worker. */
  readonly options: Readonly<Record<string, unknown>>;
  open(path: string, options?: SqliteOpenOptions): SqliteConnection<Raw>;
}

/** What a driver module exports so that worker threads can rebuild the driver. */
export interface SqliteDriverModule {
  createDriver(options: Readonly<Record<string, unknown>>): SqliteDriver;
}

/**
 * An error raised by SQLite, normalised by the adapter: `code` is SQLite's extended
 * result code name, as better-sqlite3 and bun:sqlite both spell it.
 */
export class SqliteError extends Error {
  override readonly name = 'SqliteError';
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isSqliteError(error: unknown): error is SqliteError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'SqliteError' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/** `SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`, `SQLITE_BUSY_RECOVERY`, `SQLITE_BUSY_TIMEOUT`. */
export function isBusyError(error: unknown): boolean {
  return isSqliteError(error) && error.code.startsWith('SQLITE_BUSY');
}
