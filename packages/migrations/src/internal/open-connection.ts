import {
  isSqliteError,
  type SqliteConnection,
  type SqliteDriver,
  type SqliteOpenOptions,
  WalkeeperError,
} from '@walkeeper/core';

/** Opens a connection and configures it; a failure closes it and names the file. */
export function openConnection(
  driver: SqliteDriver,
  path: string,
  configure: (connection: SqliteConnection) => void,
  options: SqliteOpenOptions = {},
): SqliteConnection {
  let connection: SqliteConnection | undefined;
  try {
    connection = driver.open(path, options);
    configure(connection);
    return connection;
  } catch (error) {
    connection?.close();
    if (error instanceof WalkeeperError) throw error;
    const sqliteCode = isSqliteError(error) ? error.code : undefined;
    throw new WalkeeperError(
      sqliteCode?.startsWith('SQLITE_BUSY') ? 'E_BUSY' : 'E_CANT_OPEN',
      `Could not open ${path} for migrations: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, ...(sqliteCode === undefined ? {} : { sqliteCode }), details: { path } },
    );
  }
}
