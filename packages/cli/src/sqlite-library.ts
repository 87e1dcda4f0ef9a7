import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';

let cached: string | undefined;

/** The version of the SQLite this CLI runs (better-sqlite3's bundled one), from a memory db. */
export function sqliteLibraryVersion(): string {
  if (cached === undefined) {
    const connection = betterSqlite3().open(':memory:');
    try {
      cached = String(connection.prepare('SELECT sqlite_version() AS v').get()?.v);
    } finally {
      connection.close();
    }
  }
  return cached;
}
