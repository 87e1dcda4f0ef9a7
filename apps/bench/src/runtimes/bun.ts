/// <reference types="bun-types/sqlite.d.ts" />
// Only the bun:sqlite module, not all of bun-types: its globals would retype Node code in
// this program (the observatory's sources, which the ingest scenario imports).
import { Database } from 'bun:sqlite';
import { bunSqlite } from '@walkeeper/driver-bun';
import type { BenchRuntime, RawDatabase } from '../runtime.js';

/**
 * Bun with bun:sqlite: the baseline is a plain `Database`, walkeeper uses `bunSqlite()`.
 * Runs only inside Bun (`bun:sqlite` is a Bun built-in); runtime.ts imports this file lazily.
 */
export function bunSqliteRuntime(): BenchRuntime {
  const probe = new Database(':memory:');
  const row = probe.query('SELECT sqlite_version() AS version').get() as { version: string };
  probe.close();
  return {
    name: 'bun',
    sqliteVersion: row.version,
    openRaw: (path, options = {}) =>
      rawDatabase(
        options.readonly
          ? new Database(path, { readonly: true, create: false })
          : new Database(path, { create: true }),
      ),
    driver: () => bunSqlite(),
    readerWorker: new URL('../workers/piscina-bun-reader.mjs', import.meta.url),
  };
}

/**
 * bun:sqlite has no `pragma()` helper, so that one method is added; `prepare` hands out the
 * native statement itself, so the baseline's hot loops call bun:sqlite with nothing between.
 */
function rawDatabase(db: Database): RawDatabase {
  return {
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => db.run(sql),
    pragma: (source) => {
      const statement = db.prepare(`PRAGMA ${source}`);
      try {
        return statement.all();
      } finally {
        statement.finalize();
      }
    },
    close: () => db.close(),
  };
}
