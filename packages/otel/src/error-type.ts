import { ERROR_TYPE_VALUE_OTHER } from './semconv.js';

export interface ErrorClass {
  /** `error.type`: SQLite's result code when SQLite raised it, else walkeeper's code, else the error's name. */
  type: string;
  /** `db.response.status_code`: SQLite's extended result code name, when SQLite raised it. */
  statusCode: string | undefined;
}

/**
 * How a failed query is named. The conventions want `error.type` to match the database's
 * status code where there is one, so SQLite's extended result code comes first
 * (`SQLITE_CONSTRAINT_PRIMARYKEY`, `SQLITE_BUSY`); a walkeeper error without one gives its
 * stable code (`E_TIMEOUT`, `E_POOL_QUEUE_FULL`); any other error its class name
 * (`TypeError`); a thrown non-error `_OTHER`.
 */
export function classifyError(error: unknown): ErrorClass {
  if (typeof error !== 'object' || error === null) {
    return { type: ERROR_TYPE_VALUE_OTHER, statusCode: undefined };
  }
  const { code, sqliteCode, name } = error as {
    code?: unknown;
    sqliteCode?: unknown;
    name?: unknown;
  };
  if (typeof sqliteCode === 'string' && sqliteCode.length > 0) {
    return { type: sqliteCode, statusCode: sqliteCode };
  }
  if (typeof code === 'string' && code.length > 0) {
    return { type: code, statusCode: code.startsWith('SQLITE_') ? code : undefined };
  }
  if (typeof name === 'string' && name.length > 0) return { type: name, statusCode: undefined };
  return { type: ERROR_TYPE_VALUE_OTHER, statusCode: undefined };
}
