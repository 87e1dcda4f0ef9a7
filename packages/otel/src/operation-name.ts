/**
 * `db.operation.name` for a read: its first keyword, upper-cased, when it is one a read can
 * start with (`SELECT`, with `WITH` counted as one, `VALUES`, `PRAGMA`, `EXPLAIN`); anything
 * else gives `undefined` and the attribute is left off. Core keeps its latency by this name.
 */
export { readOperationName } from '@walkeeper/core/plugin-kit';

/**
 * `db.operation.name` for a write: `write(fn)` is one `BEGIN IMMEDIATE` transaction that may
 * run any number of statements. The conventions name such a batch `BATCH` "or some other
 * database system specific term if more applicable"; SQLite's own term is a transaction.
 */
export const WRITE_OPERATION_NAME = 'TRANSACTION';
