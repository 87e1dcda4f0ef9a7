import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { stageForUnprivileged, type UnprivilegedStage } from '@walkeeper/test-support';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every CLI run gets a time limit, and no colours in what the tests compare. */
const environment = (env?: NodeJS.ProcessEnv) => ({ ...process.env, NO_COLOR: '1', ...env });
const TIMEOUT_MS = 20_000;

function outcome(child: { status: number | null; stdout: unknown; stderr: unknown }): CliRun {
  return { code: child.status, stdout: String(child.stdout), stderr: String(child.stderr) };
}

/** Runs the built CLI (`node dist/cli.js ...args`) and waits for it. */
export function walkeeper(args: readonly string[], options: SpawnSyncOptions = {}): CliRun {
  return outcome(
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      timeout: TIMEOUT_MS,
      ...options,
      env: environment(options.env),
    }),
  );
}

let stage: UnprivilegedStage | undefined;

/**
 * Runs the built CLI as `nobody` when the tests run as root (root may write anywhere), else as
 * ourselves: from a copy `nobody` can read, since the checkout may be where it cannot go.
 */
export function walkeeperUnprivileged(args: readonly string[]): CliRun {
  stage ??= stageForUnprivileged(fileURLToPath(new URL('..', import.meta.url)));
  return outcome(
    stage.run([stage.path(CLI), ...args], { timeout: TIMEOUT_MS, env: environment() }),
  );
}

export { runsAsRoot } from '@walkeeper/test-support';

const made: string[] = [];

/** A new temporary directory, removed after the test file. */
export function newDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'walkeeper-cli-'));
  made.push(directory);
  return directory;
}

/** The path of a new database in its own temporary directory (nothing created yet). */
export function newPath(): string {
  const path = tempDatabasePath('walkeeper-cli-');
  made.push(dirname(path));
  return path;
}

afterAll(() => {
  stage?.remove();
  stage = undefined;
  for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/**
 * A database in WAL mode with `rows` rows of 3000 bytes, autocheckpoint off, and the
 * connection left open so the -wal and -shm stay (close it to let SQLite remove them).
 */
export function walDatabase(path: string, rows = 100): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB)');
  insertRows(db, rows);
  return db;
}

export function insertRows(db: Database.Database, rows: number): void {
  const insert = db.prepare('INSERT INTO t (body) VALUES (randomblob(3000))');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run();
  })();
}

/** A closed database in WAL mode: no -wal or -shm left beside it. */
export function closedWalDatabase(path: string, rows = 20): void {
  walDatabase(path, rows).close();
}

/** A closed database in the default rollback-journal mode. */
export function rollbackDatabase(path: string): void {
  const db = new Database(path);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)');
  db.close();
}

/** The names in a database's directory. */
export function filesBeside(path: string): string[] {
  return readdirSync(dirname(path)).sort();
}

/** Every file in the directory with a hash of its bytes: equal before and after means untouched. */
export function fingerprint(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of filesBeside(path)) {
    out[name] = createHash('sha256')
      .update(readFileSync(join(dirname(path), name)))
      .digest('hex');
  }
  return out;
}

/** Writes `version` (such as 3045001 for 3.45.1) as the SQLite that last wrote the database. */
export function setLastWriterVersion(path: string, version: number): void {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(version);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, 4, 96);
  } finally {
    closeSync(fd);
  }
}

/** Lets `nobody` reach the directory (mkdtemp makes it 0700) without writing in it. */
export function openDirectoryForReading(path: string): void {
  chmodSync(dirname(path), 0o755);
}

/** The first line of stderr, and that there is only one. */
export function oneLineError(run: CliRun): string {
  const lines = run.stderr.trimEnd().split('\n');
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got:\n${run.stderr}`);
  return lines[0]!;
}
