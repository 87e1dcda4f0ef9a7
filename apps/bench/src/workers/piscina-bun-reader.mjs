// The piscina baseline's worker under Bun (`--runtime bun`): piscina-reader.mjs with
// bun:sqlite in place of better-sqlite3. One read-only connection per worker thread, opened
// when piscina loads this file; one task per read. Plain JavaScript, as its Node twin.
import { Database } from 'bun:sqlite';
import { workerData } from 'piscina';

/** @type {{ path: string; pragmas: string[] }} */
const { path, pragmas } = workerData;
const db = new Database(path, { readonly: true, create: false });
// `db.run` steps a PRAGMA and drops its row, as better-sqlite3's `pragma()` would be ignored.
for (const assignment of pragmas) db.run(`PRAGMA ${assignment}`);

/** Prepared once per SQL text, as any careful user caches statements. */
const statements = new Map();

/** @param {{ sql: string; params: unknown[] }} task */
export default function read({ sql, params }) {
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  // bun:sqlite binds positional values as separate arguments.
  return statement.all(...params);
}
