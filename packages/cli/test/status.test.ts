import { writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  closedWalDatabase,
  filesBeside,
  fingerprint,
  newPath,
  openDirectoryForReading,
  rollbackDatabase,
  setLastWriterVersion,
  walDatabase,
  walkeeper,
  walkeeperUnprivileged,
} from './support.js';

describe('walkeeper status', () => {
  test('reports a live WAL database and changes no byte on disk', () => {
    const path = newPath();
    const db = walDatabase(path, 200);
    db.pragma('wal_checkpoint(PASSIVE)');
    const before = fingerprint(path);
    const run = walkeeper(['status', path]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(path);
    expect(run.stdout).toMatch(/journal mode\s+wal/);
    expect(run.stdout).toMatch(/page size\s+4096 B/);
    expect(run.stdout).toMatch(/wal\s+[\d.]+ KiB|wal\s+[\d.]+ MiB/);
    expect(run.stdout).toMatch(/\d+ frames in the log, \d+ backfilled/);
    expect(run.stdout).toMatch(
      /sqlite\s+3\.\d+\.\d+ last wrote the database; this CLI runs 3\.\d+\.\d+/,
    );
    expect(run.stdout).toContain('health: ok');
    expect(fingerprint(path)).toEqual(before);
    db.close();
  });

  test('--json has every field, with frames and backfilled frames from the -shm', () => {
    const path = newPath();
    const db = walDatabase(path, 50);
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    const frames = row!.log;
    const run = walkeeper(['status', path, '--json']);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status).toMatchObject({
      path,
      journalMode: 'wal',
      pageSize: 4096,
      autoVacuum: 'none',
      textEncoding: 'UTF-8',
      userVersion: 0,
      wal: { exists: true, frames, backfilledFrames: frames },
      shm: { exists: true },
      sqlite: { library: expect.stringMatching(/^3\.\d+\.\d+$/) },
      health: { status: 'ok', reasons: [] },
    });
    expect(status.wal.bytes).toBeGreaterThan(50 * 3000);
    expect(status.databaseBytes).toBeGreaterThan(0);
    db.close();
  });

  test('a WAL database no connection has open: no -wal or -shm is created', () => {
    const path = newPath();
    closedWalDatabase(path);
    expect(filesBeside(path)).toEqual(['test.db']);
    const before = fingerprint(path);
    const run = walkeeper(['status', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/wal\s+none \(no connection has the database open\)/);
    expect(fingerprint(path)).toEqual(before);
  });

  test('works in a directory it may not write, where a read-only SQLite connection could not', () => {
    const path = newPath();
    closedWalDatabase(path);
    openDirectoryForReading(path);
    const run = walkeeperUnprivileged(['status', path, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).journalMode).toBe('wal');
    expect(filesBeside(path)).toEqual(['test.db']);
  });

  test('a rollback-journal database is critical and exits 1', () => {
    const path = newPath();
    rollbackDatabase(path);
    const run = walkeeper(['status', path]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/journal mode\s+rollback/);
    expect(run.stdout).toContain('health: critical');
    expect(run.stdout).toContain('JOURNAL_MODE_NOT_WAL');
    expect(filesBeside(path)).toEqual(['test.db']);
  });

  test('a WAL over --wal-cap is degraded, over twice the cap critical', () => {
    const path = newPath();
    const db = walDatabase(path, 100);
    const degraded = JSON.parse(
      walkeeper(['status', path, '--json', '--wal-cap', '256KiB']).stdout,
    );
    expect(degraded.health.status).toBe('degraded');
    expect(degraded.health.reasons.map((r: { code: string }) => r.code)).toEqual(['WAL_OVER_CAP']);
    const critical = walkeeper(['status', path, '--wal-cap', '64KiB']);
    expect(critical.code).toBe(1);
    expect(critical.stdout).toContain('health: critical');
    expect(critical.stdout).toMatch(/WAL is [\d.]+ MiB, over its cap/);
    db.close();
  });

  test('a database last written by SQLite older than 3.51.3 is degraded', () => {
    const path = newPath();
    rollbackDatabase(path);
    const db = walDatabase(path, 1);
    db.close();
    setLastWriterVersion(path, 3_045_001);
    const run = walkeeper(['status', path, '--json']);
    expect(run.code).toBe(1);
    const status = JSON.parse(run.stdout);
    expect(status.sqlite.lastWriter).toBe('3.45.1');
    expect(status.health.reasons).toEqual([
      expect.objectContaining({ code: 'SQLITE_WAL_RESET_BUG', severity: 'degraded' }),
    ]);
  });

  test('an empty (0-byte) file is a new database, not in WAL mode', () => {
    const path = newPath();
    rollbackDatabase(path);
    writeFileSync(path, '');
    const run = walkeeper(['status', path]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/page size\s+not set \(empty database\)/);
  });
});
