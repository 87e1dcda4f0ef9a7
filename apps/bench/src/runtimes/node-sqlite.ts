import { createRequire } from 'node:module';
import { nodeSqlite } from '@walkeeper/driver-node-sqlite';
import type { RuntimeName } from '../cli.js';
import type { BenchRuntime, RawDatabase, RawStatement } from '../runtime.js';

/**
 * What the baseline calls of node:sqlite, structurally: the workspace's @types/node is
 * Node 20's, which has no node:sqlite. Its statements bind positional values as arguments,
 * as RawStatement's callers pass them.
 */
interface DatabaseSync {
  prepare(sql: string): RawStatement;
  exec(sql: string): void;
  close(): void;
}
type DatabaseSyncClass = new (path: string, options?: { readOnly?: boolean }) => DatabaseSync;

/**
 * Node 24 with node:sqlite: the baseline is a plain `DatabaseSync`, walkeeper uses
 * `nodeSqlite()`. Runs only in a Node that has node:sqlite; runtime.ts imports this lazily.
 */
export function nodeSqliteRuntime(name: RuntimeName): BenchRuntime {
  const { DatabaseSync } = createRequire(import.meta.url)('node:sqlite') as {
    DatabaseSync: DatabaseSyncClass;
  };
  const probe = new DatabaseSync(':memory:');
  const row = probe.prepare('SELECT sqlite_version() AS version').get() as { version: string };
  probe.close();
  return {
    name,
    sqliteVersion: row.version,
    openRaw: (path, options = {}) =>
      rawDatabase(
        options.readonly ? new DatabaseSync(path, { readOnly: true }) : new DatabaseSync(path),
      ),
    driver: () => nodeSqlite(),
    readerWorker: new URL('../workers/piscina-node-sqlite-reader.mjs', import.meta.url),
  };
}

/**
 * node:sqlite has no `pragma()` helper, so that one method is added; `prepare` hands out the
 * native statement itself, so the baseline's hot loops call node:sqlite with nothing between.
 */
function rawDatabase(db: DatabaseSync): RawDatabase {
  return {
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => db.exec(sql),
    pragma: (source) => db.prepare(`PRAGMA ${source}`).all(),
    close: () => db.close(),
  };
}
