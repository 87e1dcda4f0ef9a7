import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  openWalkeeper,
  type SqliteConnection,
  type SqliteDriverModule,
  type SqliteOpenOptions,
  type Walkeeper,
  type WalkeeperOptions,
} from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';

/**
 * The suite runs under Node with better-sqlite3 and under Bun with bun:sqlite: same tests.
 * WALKEEPER_IT_DRIVER names another driver module: `pnpm test:node-sqlite` runs the suite
 * under Node 24 with @walkeeper/driver-node-sqlite. Worker fixtures read the same variable.
 */
export const runtime = process.versions.bun === undefined ? 'node' : 'bun';
export const driverModule =
  process.env.WALKEEPER_IT_DRIVER ??
  (runtime === 'bun' ? '@walkeeper/driver-bun' : '@walkeeper/driver-better-sqlite3');
/** The driver module's factory, for code written with `betterSqlite3()` (the README's). */
export const driverFactory = {
  '@walkeeper/driver-better-sqlite3': 'betterSqlite3',
  '@walkeeper/driver-bun': 'bunSqlite',
  '@walkeeper/driver-node-sqlite': 'nodeSqlite',
}[driverModule];
const { createDriver } = (await import(driverModule)) as SqliteDriverModule;
export const driver = createDriver({});

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

/** A plain connection beside walkeeper, as another part of an application would open one. */
export function connect(path: string, options?: SqliteOpenOptions): SqliteConnection {
  return driver.open(path, options);
}

/** A pragma's value on walkeeper's writer connection, through the native handle. */
export function writerPragma(wk: Walkeeper, name: string): unknown {
  type Statement = { get(): Record<string, unknown> | null | undefined };
  const raw = wk.raw as {
    pragma?: (source: string, options: { simple: true }) => unknown;
    /** bun:sqlite's cached prepare. */
    query?: (sql: string) => Statement;
    /** node:sqlite's DatabaseSync has prepare() only. */
    prepare: (sql: string) => Statement;
  };
  if (raw.pragma) return raw.pragma(name, { simple: true });
  const statement = raw.query ? raw.query(`PRAGMA ${name}`) : raw.prepare(`PRAGMA ${name}`);
  return Object.values(statement.get() ?? {})[0];
}

/** Arguments that make this runtime evaluate `code` as an ES module. */
export function evalArgs(code: string): string[] {
  return runtime === 'bun' ? ['-e', code] : ['--input-type=module', '-e', code];
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
