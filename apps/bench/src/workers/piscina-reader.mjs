// The `pool` scenario's piscina baseline: what better-sqlite3's docs point to for reads off
// the main thread. One read-only connection per worker thread, opened when piscina loads
// this file; one task per read. Plain JavaScript, so piscina loads it with no TypeScript
// loader in the worker (under tsx and under vitest alike).
import Database from 'better-sqlite3';
import { workerData } from 'piscina';

/** @type {{ path: string; pragmas: string[] }} */
const { path, pragmas } = workerData;
const db = new Database(path, { readonly: true, fileMustExist: true });
for (const assignment of pragmas) db.pragma(assignment);

/** Prepared once per SQL text, as any careful user caches statements. */
const statements = new Map();

/** @param {{ sql: string; params: unknown[] }} task */
export default function read({ sql, params }) {
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  return statement.all(params);
}
