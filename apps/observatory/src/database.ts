import { openWalkeeper, type Walkeeper, type WalkeeperPlugin } from '@walkeeper/core';
import { migrations } from '@walkeeper/migrations';
import { conversationWorkload, maintenance } from '@walkeeper/strategies';
import { runtimeDriver } from './driver.js';

export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

export interface OpenDatabaseOptions {
  /** Reader threads behind the API. Default 2. */
  readers?: number;
  /** More plugins (the app adds @walkeeper/history's). */
  plugins?: readonly WalkeeperPlugin[];
}

/**
 * Opens the observatory's database: migrated on open, a read pool of worker threads for the
 * API, and the conversation-workload checkpoint strategy (bursts of appended lines, quiet
 * gaps in between: light PASSIVE during a burst, the WAL reset in the gap).
 */
export async function openDatabase(
  path: string,
  options: OpenDatabaseOptions = {},
): Promise<Walkeeper> {
  return openWalkeeper({
    path,
    driver: await runtimeDriver(),
    readers: { size: options.readers ?? 2, mode: 'worker' },
    plugins: [
      migrations({ dir: MIGRATIONS_DIR }),
      conversationWorkload(),
      maintenance({ optimizeEveryMs: 3_600_000 }),
      ...(options.plugins ?? []),
    ],
  });
}
