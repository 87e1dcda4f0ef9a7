// The piscina baseline's worker under Node 24 (`--runtime node24`): piscina-reader.mjs with
// node:sqlite in place of better-sqlite3. One read-only connection per worker thread, opened
// when piscina loads this file; one task per read. Plain JavaScript, as its Node 20 twin.
import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'piscina';

/** @type {{ path: string; pragmas: string[] }} */
const { path, pragmas } = workerData;
const db = new DatabaseSync(path, { readOnly: true });
for (const assignment of pragmas) db.exec(`PRAGMA ${assignment}`);

/** Prepared once per SQL text, as any careful user caches statements. */
const statements = new Map();

/** @param {{ sql: string; params: unknown[] }} task */
export default function read({ sql, params }) {
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  // node:sqlite binds positional values as separate arguments.
  return statement.all(...params);
}
