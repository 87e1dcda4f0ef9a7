import { SqliteError } from '../driver.js';
import { WalkeeperError, type WalkeeperErrorCode } from '../errors.js';
import type { SerializedError } from './protocol.js';

/** Rebuilds on the main thread the error a worker serialised, with its class and code. */
export function reviveError(error: SerializedError): Error {
  if (error.name === 'WalkeeperError' && error.code !== undefined) {
    return new WalkeeperError(
      error.code as WalkeeperErrorCode,
      error.message,
      error.details === undefined ? {} : { details: error.details },
    );
  }
  if (error.code?.startsWith('SQLITE_')) return new SqliteError(error.message, error.code);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}
