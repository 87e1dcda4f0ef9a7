import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqliteConnection } from '@walkeeper/core';
import { driver, newDir } from './support.js';

/**
 * A database in use: WAL mode, and a -wal holding committed frames that are not checkpointed
 * yet, because a connection (the "keeper", as another process would be) still has it open.
 * A refused open must leave both files byte for byte as they were; with nothing in the -wal,
 * "the -wal is unchanged" would prove nothing. Close the keeper after the last comparison.
 */
export interface LiveDatabase {
  path: string;
  keeper: SqliteConnection;
}

/** Makes `path` (or a new file) a live database with a `notes` table and frames in its -wal. */
export function liveDatabase(path = join(newDir(), 'test.db')): LiveDatabase {
  const keeper = driver.open(path);
  // No checkpoint may move the frames into the database while the case runs.
  keeper.pragma('journal_mode = WAL');
  keeper.pragma('wal_autocheckpoint = 0');
  keeper.exec('CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
  addFrames(keeper);
  return { path, keeper };
}

/** Commits a few transactions, so the -wal grows by some frames. */
export function addFrames(connection: SqliteConnection): void {
  const insert = connection.prepare('INSERT INTO notes (body) VALUES (randomblob(1500))');
  for (let i = 0; i < 20; i++) insert.run();
}

/** A copy of a closed template database in a new directory, made live (frames in its -wal). */
export function liveCopy(template: string): LiveDatabase {
  const path = join(newDir(), 'test.db');
  copyFileSync(template, path);
  return liveDatabase(path);
}
