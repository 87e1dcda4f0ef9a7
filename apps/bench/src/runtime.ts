import type { SqliteDriver } from '@walkeeper/core';
import { type DriverName, RUNTIME_DRIVERS, type RuntimeName, UsageError } from './cli.js';
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
 * Each driver's module is imported only when asked for: `bun:sqlite` exists only inside Bun,
 * better-sqlite3's native addon loads only in the Node it was built for, node:sqlite only in
 * Node 22.16+.
 */
export async function loadRuntime(
  name: RuntimeName,
  driver: DriverName = RUNTIME_DRIVERS[name][0]!,
): Promise<BenchRuntime> {
  const current = currentRuntime();
  if (name !== current) {
    throw new UsageError(
      `--runtime ${name} measures inside ${RUNTIME_LABELS[name]}, but this process is ${current}. ` +
        `\`pnpm bench --runtime ${name}\` starts the bench under ${RUNTIME_LABELS[name]} itself.`,
    );
  }
  if (!RUNTIME_DRIVERS[name].includes(driver))
    throw new UsageError(`--runtime ${name} does not measure --driver ${driver}.`);
  switch (driver) {
    case 'better-sqlite3':
      return (await import('./runtimes/better-sqlite3.js')).betterSqlite3Runtime();
    case 'bun-sqlite':
      return (await import('./runtimes/bun.js')).bunSqliteRuntime();
    case 'node-sqlite':
      return (await import('./runtimes/node-sqlite.js')).nodeSqliteRuntime(name);
  }
}

const RUNTIME_LABELS: Readonly<Record<RuntimeName, string>> = {
  node: 'Node',
  bun: 'Bun',
  node24: 'Node 24',
};
