import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SqliteDriver, SqliteDriverModule, SqliteParams } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import type { DatabaseTarget } from '../src/index.js';

/** The suite runs under Node with better-sqlite3 and under Bun with bun:sqlite: same tests. */
export const driverModule =
  process.versions.bun === undefined ? '@walkeeper/driver-better-sqlite3' : '@walkeeper/driver-bun';
const { createDriver } = (await import(driverModule)) as SqliteDriverModule;
export const driver: SqliteDriver = createDriver({});

export interface Workspace {
  /** The database file (it does not exist until something opens it). */
  path: string;
  /** The migrations directory beside it. */
  dir: string;
  target: DatabaseTarget;
  /** Writes (or overwrites) migration files. */
  write(files: Record<string, string>): void;
  remove(name: string): void;
}

export function workspace(files: Record<string, string> = {}): Workspace {
  const path = tempDatabasePath('walkeeper-migrations-');
  const dir = join(dirname(path), 'migrations');
  mkdirSync(dir);
  const space: Workspace = {
    path,
    dir,
    target: { path, driver },
    write(more) {
      for (const [name, text] of Object.entries(more)) writeFileSync(join(dir, name), text);
    },
    remove(name) {
      rmSync(join(dir, name));
    },
  };
  space.write(files);
  return space;
}

/** The database and its -wal, byte for byte: what a refusal must leave as it was. */
export function snapshot(path: string): string {
  const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const wal = `${path}-wal`;
  return `db:${digest(path)} wal:${existsSync(wal) ? digest(wal) : 'none'}`;
}

/** Rows from the database file, read on a connection of its own, closed at once. */
export function query<Row = Record<string, unknown>>(
  path: string,
  sql: string,
  params: unknown[] = [],
): Row[] {
  const db = driver.open(path, { fileMustExist: true });
  try {
    return db.prepare(sql).all(params as SqliteParams) as Row[];
  } finally {
    db.close();
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface Caught {
  code?: string;
  message: string;
  sqliteCode?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The rejection or throw of `fn`, to assert on. */
export async function caught(fn: () => unknown): Promise<Caught> {
  try {
    await fn();
  } catch (error) {
    return error as Caught;
  }
  throw new Error('expected an error, but the call succeeded');
}
