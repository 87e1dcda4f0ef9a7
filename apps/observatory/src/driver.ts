import type { SqliteDriver } from '@walkeeper/core';

/** True under Bun, where bun:sqlite replaces better-sqlite3 and Bun.serve replaces node:http. */
export const isBun = typeof process.versions.bun === 'string';

/**
 * The one place that picks the SQLite driver for the runtime. Imported dynamically so that
 * Node never loads bun:sqlite and Bun never loads better-sqlite3's native addon.
 */
export async function runtimeDriver(): Promise<SqliteDriver> {
  if (isBun) {
    const { bunSqlite } = await import('@walkeeper/driver-bun');
    return bunSqlite();
  }
  const { betterSqlite3 } = await import('@walkeeper/driver-better-sqlite3');
  return betterSqlite3();
}
