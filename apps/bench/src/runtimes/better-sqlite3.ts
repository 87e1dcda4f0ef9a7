import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import Database from 'better-sqlite3';
import type { BenchRuntime } from '../runtime.js';

/** Node with better-sqlite3: the baseline is a plain `Database`, walkeeper uses its adapter. */
export function betterSqlite3Runtime(): BenchRuntime {
  const probe = new Database(':memory:');
  const row = probe.prepare('SELECT sqlite_version() AS version').get() as { version: string };
  probe.close();
  return {
    name: 'node',
    sqliteVersion: row.version,
    openRaw: (path, options = {}) =>
      options.readonly
        ? new Database(path, { readonly: true, fileMustExist: true })
        : new Database(path),
    driver: () => betterSqlite3(),
    readerWorker: new URL('../workers/piscina-reader.mjs', import.meta.url),
  };
}
