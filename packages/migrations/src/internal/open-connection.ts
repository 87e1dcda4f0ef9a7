import type { SqliteConnection, SqliteDriver, SqliteOpenOptions } from '@walkeeper/core';
import { openError } from '@walkeeper/core/plugin-kit';

/**
 * Opens a connection and configures it; a failure closes it and becomes core's coded open
 * error naming the file (`E_NOT_A_DATABASE`, `E_CANT_OPEN`, `E_PERMISSION`, `E_BUSY`, ...).
 */
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
    throw openError(error, path);
  }
}
