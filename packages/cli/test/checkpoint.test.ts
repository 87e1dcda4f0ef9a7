import { chmodSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import {
  closedWalDatabase,
  filesBeside,
  insertRows,
  newPath,
  oneLineError,
  openDirectoryForReading,
  rollbackDatabase,
  runsAsRoot,
  walDatabase,
  walkeeper,
  walkeeperUnprivileged,
} from './support.js';

describe('walkeeper checkpoint', () => {
  test('PASSIVE by default: copies every frame back and prints the result row', () => {
    const path = newPath();
    const db = walDatabase(path, 100);
    const run = walkeeper(['checkpoint', path]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^checkpoint PASSIVE on ${path}: done in `));
    expect(run.stdout).toMatch(/busy\s+no/);
    const log = Number(/log frames\s+(\d+)/.exec(run.stdout)?.[1]);
    expect(log).toBeGreaterThan(100);
    expect(run.stdout).toMatch(new RegExp(`checkpointed\\s+${log}\\b`));
    expect(run.stdout).toMatch(/wal before\s+[\d.]+ KiB/);
    db.close();
  });

  test('--mode truncate --json: the WAL is empty afterwards', () => {
    const path = newPath();
    const db = walDatabase(path, 100);
    const run = walkeeper(['checkpoint', path, '--mode', 'truncate', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      ok: true,
      path,
      walMode: true,
      mode: 'TRUNCATE',
      busy: false,
      maxStallMs: 200,
      walBytesAfter: 0,
    });
    expect(result.logFrames).toBe(result.checkpointedFrames);
    expect(result.walBytesBefore).toBeGreaterThan(100 * 3000);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(statSync(`${path}-wal`).size).toBe(0);
    db.close();
  });

  test('a reader holding the log makes TRUNCATE busy: reported, exit 1, stall capped', () => {
    const path = newPath();
    const db = walDatabase(path, 50);
    const reader = new Database(path, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM t').get();
    insertRows(db, 10);
    const run = walkeeper([
      'checkpoint',
      path,
      '--mode',
      'TRUNCATE',
      '--max-stall-ms',
      '50',
      '--json',
    ]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ ok: false, mode: 'TRUNCATE', busy: true, maxStallMs: 50 });
    expect(result.checkpointedFrames).toBeLessThan(result.logFrames);
    expect(result.durationMs).toBeLessThan(2000);
    const text = walkeeper(['checkpoint', path, '--mode', 'restart', '--max-stall-ms', '0']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^checkpoint RESTART on .*: BUSY after /);
    expect(text.stdout).toMatch(/busy\s+yes/);
    reader.exec('COMMIT');
    reader.close();
    db.close();
  });

  test('a database that is not in WAL mode: nothing to checkpoint, exit 1, journal mode kept', () => {
    const path = newPath();
    rollbackDatabase(path);
    const before = readFileSync(path);
    const run = walkeeper(['checkpoint', path, '--mode', 'truncate']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('is not in WAL mode: there is no log to checkpoint');
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(filesBeside(path)).toEqual(['test.db']);
    const json = JSON.parse(walkeeper(['checkpoint', path, '--json']).stdout);
    expect(json).toEqual({ ok: false, maxStallMs: 200, path, walMode: false, mode: 'PASSIVE' });
  });

  test('a WAL database no one has open: runs, and SQLite tidies up on close', () => {
    const path = newPath();
    closedWalDatabase(path);
    const run = walkeeper(['checkpoint', path, '--mode', 'full', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ mode: 'FULL', busy: false, logFrames: 0 });
    expect(filesBeside(path)).toEqual(['test.db']);
    // Still in WAL mode: the header's file format bytes are 2.
    expect([...readFileSync(path).subarray(18, 20)]).toEqual([2, 2]);
  });

  test("a directory the user may not write: exit 1 with SQLite's reason and where to look", () => {
    const path = newPath();
    closedWalDatabase(path);
    openDirectoryForReading(path);
    // Root ignores permission bits: run as nobody; anyone else loses the write bit instead.
    if (!runsAsRoot()) chmodSync(dirname(path), 0o555);
    const run = walkeeperUnprivileged(['checkpoint', path]);
    chmodSync(dirname(path), 0o755);
    expect(run.code).toBe(1);
    expect(oneLineError(run)).toBe(
      `walkeeper: the checkpoint of ${path} failed: attempt to write a readonly database (SQLITE_READONLY_DIRECTORY); \`walkeeper doctor ${path}\` run as the application's user says why`,
    );
    expect(filesBeside(path)).toEqual(['test.db']);
  });
});
