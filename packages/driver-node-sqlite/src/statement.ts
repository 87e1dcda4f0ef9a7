import type { SQLInputValue, StatementSync } from 'node:sqlite';
import type { SqliteParams, SqliteRow } from '@walkeeper/core';

/**
 * A node:sqlite statement with what the driver contract asks of it at prepare time. Rows come
 * as arrays (`setReturnArrays`) and become plain objects here: node:sqlite's own row objects
 * have a null prototype, which neither better-sqlite3 nor bun:sqlite rows have, and zipping
 * arrays with the column names measured faster than copying those objects.
 */
export interface PreparedStatement {
  readonly native: StatementSync;
  readonly readonly: boolean;
  names: readonly string[];
}

export function prepared(native: StatementSync, readonly: boolean): PreparedStatement {
  native.setReturnArrays(true);
  return { native, readonly, names: columnNames(native) };
}

function columnNames(native: StatementSync): string[] {
  return native.columns().map((column) => column.name);
}

/**
 * The row object of one result row. SQLite re-prepares a statement after a schema change; a
 * different number of values means its columns changed, so the names are read again.
 */
export function toRow(statement: PreparedStatement, values: readonly unknown[]): SqliteRow {
  if (values.length !== statement.names.length) statement.names = columnNames(statement.native);
  const { names } = statement;
  const row: SqliteRow = {};
  for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
  return row;
}

/** Shared by every call without parameters: the hot BEGIN / COMMIT path allocates nothing. */
const NO_VALUES: readonly SQLInputValue[] = Object.freeze([]);

/**
 * node:sqlite takes positional values as separate arguments and named ones as one object
 * with bare names (`allowBareNamedParameters`), so an array is spread and an object passed.
 */
export function bindings(params: SqliteParams | undefined): readonly SQLInputValue[] {
  if (params === undefined) return NO_VALUES;
  if (Array.isArray(params)) return params as SQLInputValue[];
  // The named-parameters object is run()'s first argument, typed by an overload of its own.
  return [params] as unknown as readonly SQLInputValue[];
}
