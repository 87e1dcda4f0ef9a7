/**
 * Every error walkeeper raises on purpose is a `WalkeeperError` with a stable `code`.
 * Codes are part of the public API: tests, docs and tools match on them, never on messages.
 */
export type WalkeeperErrorCode =
  | 'E_CONFIG'
  | 'E_BUSY'
  | 'E_CLOSED'
  | 'E_POOL_QUEUE_FULL'
  | 'E_TIMEOUT'
  | 'E_ABORTED'
  | 'E_READER_CRASHED'
  | 'E_NOT_A_DATABASE'
  | 'E_CANT_OPEN'
  | 'E_PERMISSION'
  | 'E_ASYNC_WRITE'
  | 'E_WRITER_BUSY'
  | 'E_TRANSACTION_FINISHED'
  | 'E_DISK_FULL'
  | 'E_DRIVER_UNAVAILABLE'
  | 'E_NOT_A_QUERY'
  | 'E_SQLITE'
  | 'E_DRIVER'
  | 'E_PLUGIN'
  | 'E_PLUGIN_DUPLICATE'
  | 'E_PLUGIN_DEPENDENCY'
  | 'E_PLUGIN_SPEC'
  | 'E_PLUGIN_VERSION'
  | 'E_MIGRATION_CHECKSUM'
  | 'E_MIGRATION_FAILED'
  | 'E_MIGRATION_MISSING'
  | 'E_MIGRATION_INVALID';

export interface WalkeeperErrorOptions {
  cause?: unknown;
  /** SQLite's extended result code name (`SQLITE_BUSY_SNAPSHOT`) when SQLite raised it. */
  sqliteCode?: string;
  /** Structured facts about the failure, safe to log. */
  details?: Readonly<Record<string, unknown>>;
}

export class WalkeeperError extends Error {
  override readonly name = 'WalkeeperError';
  readonly code: WalkeeperErrorCode;
  readonly sqliteCode: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: WalkeeperErrorCode, message: string, options: WalkeeperErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.sqliteCode = options.sqliteCode;
    this.details = options.details;
  }
}

/**
 * True for any walkeeper error, including one from another copy of this package
 * (two versions installed side by side would break `instanceof`).
 */
export function isWalkeeperError(
  error: unknown,
  code?: WalkeeperErrorCode,
): error is WalkeeperError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  if (candidate.name !== 'WalkeeperError' || typeof candidate.code !== 'string') return false;
  return code === undefined || candidate.code === code;
}
