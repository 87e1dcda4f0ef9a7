import type { SqliteDriver } from '@walkeeper/core';
import { type RuntimeName, UsageError } from './cli.js';
import { betterSqlite3Runtime } from './runtimes/better-sqlite3.js';

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
}

export function loadRuntime(name: RuntimeName): BenchRuntime {
  switch (name) {
    case 'node':
      return betterSqlite3Runtime();
    case 'bun':
      throw new UsageError(
        '--runtime bun is not yet supported: the Bun driver (@walkeeper/driver-bun) adds it. Use --runtime node.',
      );
  }
}
