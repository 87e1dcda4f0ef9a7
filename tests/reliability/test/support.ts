import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqliteDriverModule } from '@walkeeper/core';

/**
 * The suite runs under Node with better-sqlite3 and under Bun with bun:sqlite, as the
 * integration suite does; child processes run on the same runtime as the test.
 */
export const runtime = process.versions.bun === undefined ? 'node' : 'bun';
export const driverModule =
  runtime === 'bun' ? '@walkeeper/driver-bun' : '@walkeeper/driver-better-sqlite3';
const { createDriver } = (await import(driverModule)) as SqliteDriverModule;
export const driver = createDriver({});

/** The long run (`pnpm test:long`): more kills, longer contention and soak. */
export const LONG = process.env.WALKEEPER_LONG === '1';

/** A number from the environment, or the fallback. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${raw}`);
  return value;
}

/** The seed of this run: WALKEEPER_SEED to replay one, else a new one (always printed). */
export function runSeed(): number {
  return envNumber('WALKEEPER_SEED', Math.floor(Math.random() * 2 ** 31));
}

const made: string[] = [];

/** A new empty directory under the system temp dir, removed after the run unless KEEP is set. */
export function newDir(prefix = 'walkeeper-rel-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A path to a database file that does not exist yet, in a new directory. */
export function newPath(prefix?: string): string {
  return join(newDir(prefix), 'test.db');
}

/** Removes the directories this file made (WALKEEPER_KEEP=1 keeps them for a post-mortem). */
export function removeTempDirs(): void {
  if (process.env.WALKEEPER_KEEP === '1') return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Files in the database's directory, sorted. */
export function filesBeside(path: string): string[] {
  const dir = dirname(path);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/**
 * The database, its -wal and the files beside them as they are on disk, to compare before and
 * after a refused open. Hashes, not contents: a database is megabytes, and a changed hash is
 * all a failure needs to say. (-shm is left out: it is SQLite's shared memory, rebuilt freely.)
 */
export interface DiskState {
  files: string[];
  database: string | undefined;
  wal: string | undefined;
}

function sha256(path: string): string | undefined {
  if (!existsSync(path) || !statSync(path).isFile()) return undefined;
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function diskState(path: string): DiskState {
  return {
    files: filesBeside(path).filter((name) => !name.endsWith('-shm')),
    database: sha256(path),
    wal: sha256(`${path}-wal`),
  };
}

/** The rejection or throw of `fn`, for a test to assert on. */
export async function caught(fn: () => unknown): Promise<{
  code?: string;
  message: string;
  sqliteCode?: string;
  details?: Record<string, unknown>;
  cause?: { code?: string };
}> {
  try {
    await fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error, but the call succeeded');
}

/** The path of a fixture script in test/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** This package's directory: children run there so their imports resolve from it. */
export const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Starts a fixture script on this runtime with an IPC channel. */
export function spawnFixture(
  name: string,
  args: readonly string[],
  options: { uid?: number; gid?: number; execArgv?: string[] } = {},
): ChildProcess {
  return fork(fixture(name), [...args], {
    cwd: packageDir,
    execPath: process.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...options,
  });
}

/** Resolves with the child's exit code and signal. */
export function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Resolves with the first message from the child that passes `match`. */
export function nextMessage<T>(child: ChildProcess, match: (message: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      if (!match(message)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`the child exited (code ${code}) before the expected message`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** A percentile of samples (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const MiB = 2 ** 20;

/** Arguments that make this runtime evaluate `code` as an ES module. */
export function evalArgs(code: string): string[] {
  return runtime === 'bun' ? ['-e', code] : ['--input-type=module', '-e', code];
}
