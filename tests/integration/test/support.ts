import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openWalkeeper, type Walkeeper, type WalkeeperOptions } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';

/** The driver under test. The Bun run swaps in bunSqlite() here; the tests stay the same. */
export const driver = betterSqlite3();

export function newPath(): string {
  return tempDatabasePath('walkeeper-it-');
}

export async function open(
  overrides: Partial<WalkeeperOptions> = {},
  path = newPath(),
): Promise<Walkeeper> {
  const wk = await openWalkeeper({ path, driver, ...overrides });
  wk.write((tx) =>
    tx.exec('CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'),
  );
  return wk;
}

/** Files in the database's directory: what a failed open must not have created. */
export function filesBeside(path: string): string[] {
  const dir = dirname(path);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Catches the rejection or throw of `fn` so a test can assert on it. */
export async function caught(
  fn: () => unknown,
): Promise<{ code?: string; message: string; sqliteCode?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as { code?: string; message: string; sqliteCode?: string };
  }
  throw new Error('expected an error, but the call succeeded');
}
