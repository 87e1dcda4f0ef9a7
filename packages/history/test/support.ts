import { openWalkeeper, type Walkeeper, type WalkeeperPlugin } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import Database from 'better-sqlite3';
import { T0 } from './samples.js';

const opened: Walkeeper[] = [];

/** For `afterEach`: closes every database `open()` made. */
export async function closeOpened(): Promise<void> {
  await Promise.all(opened.splice(0).map((wk) => wk.close()));
}

/** Has `closeOpened()` close `wk` too. */
export function track(wk: Walkeeper): Walkeeper {
  opened.push(wk);
  return wk;
}

/** A fake clock: the history stamps samples with it; tests move it. */
export function clock(start = T0) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** A database with `plugin` and a `notes` table, closed by `closeOpened()`. */
export async function open(
  plugin: WalkeeperPlugin,
  path = tempDatabasePath('walkeeper-history-'),
): Promise<Walkeeper> {
  const wk = track(await openWalkeeper({ path, driver: betterSqlite3(), plugins: [plugin] }));
  wk.write((tx) => tx.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'));
  return wk;
}

/** Rows from the database file, read on a read-only connection of its own, closed at once. */
export function query<Row = Record<string, unknown>>(path: string, sql: string): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all() as Row[];
  } finally {
    db.close();
  }
}
