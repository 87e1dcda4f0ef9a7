import { isBusyError, type SqliteConnection } from './driver.js';
import { WalkeeperError } from './errors.js';
import { sleepSync } from './internal/sleep-sync.js';

/**
 * Puts the database in WAL mode. On a new database two processes doing this at once can get
 * SQLITE_BUSY straight away, without the busy handler (SQLite's deadlock avoidance when both
 * hold a shared lock and want to write), so it is retried with a short backoff for up to
 * `waitMs`.
 */
export function enableWal(connection: SqliteConnection, path: string, waitMs: number): void {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    let mode: string;
    try {
      mode = String(Object.values(connection.pragma('journal_mode = WAL')[0] ?? {})[0]);
    } catch (error) {
      if (!isBusyError(error) || Date.now() >= deadline) throw error;
      sleepSync(Math.min(5 * 2 ** attempt, 100));
      continue;
    }
    if (mode === 'wal') return;
    throw new WalkeeperError(
      'E_CANT_OPEN',
      `${path} could not be put in WAL mode (journal_mode is ${mode}).`,
      {
        details: { path, journalMode: mode },
      },
    );
  }
}
