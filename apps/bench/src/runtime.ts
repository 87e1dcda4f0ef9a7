import type { SqliteDriver } from '@walkeeper/core';
import { type RuntimeName, UsageError } from './cli.js';
import { currentRuntime } from './current-runtime.js';

/**
 * What a baseline needs from a native SQLite binding, as a structural type that both
 * better-sqlite3 and bun:sqlite's statements satisfy directly: the baseline calls the native
 * objects themselves, with no wrapper of ours in its hot loop.
 */
export interface RawStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface RawDatabase {
  prepare(sql: string): RawStatement;
  exec(sql: string): unknown;
  /** `PRAGMA <source>`, returning its rows. */
  pragma(source: string): unknown;
  close(): unknown;
}

export interface RawOpenOptions {
  /** Open an existing database read-only, as walkeeper opens its reader connections. */
  readonly?: boolean;
}

/** The one place a scenario gets its native baseline and the matching walkeeper driver from. */
export interface BenchRuntime {
  readonly name: RuntimeName;
  /** The SQLite library version the baseline and walkeeper both run on. */
  readonly sqliteVersion: string;
  openRaw(path: string, options?: RawOpenOptions): RawDatabase;
  driver(): SqliteDriver;
  /**
   * The piscina worker file of the baselines' read pools: a read-only connection of this
   * runtime's native binding per worker thread, taking `{ sql, params }` tasks.
   */
  readonly readerWorker: URL;
}

/**
 * Each runtime's module is imported only when asked for: `bun:sqlite` exists only inside
 * Bun, and better-sqlite3's native addon does not load in Bun.
 */
export async function loadRuntime(name: RuntimeName): Promise<BenchRuntime> {
  const current = currentRuntime();
  if (name !== current) {
    throw new UsageError(
      `--runtime ${name} measures inside ${name === 'bun' ? 'Bun' : 'Node'}, but this process is ${current}. ` +
        '`pnpm bench --runtime bun` starts the bench under Bun itself.',
    );
  }
  switch (name) {
    case 'node':
      return (await import('./runtimes/better-sqlite3.js')).betterSqlite3Runtime();
    case 'bun':
      return (await import('./runtimes/bun.js')).bunSqliteRuntime();
  }
}
