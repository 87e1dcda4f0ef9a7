import type { SqliteConnection, SqliteStatement } from '../driver.js';

/**
 * Recognises a database that Litestream replicates: Litestream creates `_litestream_seq`
 * (and `_litestream_lock`) in it when it starts, and holds a read transaction on it to keep
 * other connections from resetting the WAL. Returns a cheap check (one prepared statement).
 */
export function litestreamDetector(connection: SqliteConnection): () => boolean {
  let statement: SqliteStatement | undefined;
  return () => {
    statement ??= connection.prepare(
      "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name IN ('_litestream_seq', '_litestream_lock') LIMIT 1",
    );
    return statement.get() !== undefined;
  };
}
