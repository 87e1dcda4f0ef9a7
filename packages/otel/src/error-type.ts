import { failureName } from '@walkeeper/core/plugin-kit';
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
 * (`TypeError`); a thrown non-error `_OTHER`. Core names the failures it times the same way
 * (`failureName`).
 */
export function classifyError(error: unknown): ErrorClass {
  return namedFailure(failureName(error));
}

/** The attributes of a failure core has already named (`failureName`); unnamed is `_OTHER`. */
export function namedFailure(name: string | undefined): ErrorClass {
  const type = name ?? ERROR_TYPE_VALUE_OTHER;
  return { type, statusCode: type.startsWith('SQLITE_') ? type : undefined };
}
