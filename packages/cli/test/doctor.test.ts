import { chmodSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  closedWalDatabase,
  filesBeside,
  fingerprint,
  newPath,
  openDirectoryForReading,
  rollbackDatabase,
  runsAsRoot,
  setLastWriterVersion,
  walDatabase,
  walkeeper,
  walkeeperUnprivileged,
} from './support.js';

interface Check {
  id: string;
  verdict: string;
  detail: string;
  fix: string;
}

function doctor(path: string, as: 'us' | 'unprivileged' = 'us') {
  const args = ['doctor', path, '--json'];
  const run = as === 'us' ? walkeeper(args) : walkeeperUnprivileged(args);
  const report = JSON.parse(run.stdout) as { ok: boolean; checks: Check[] };
  const verdicts = Object.fromEntries(report.checks.map((c) => [c.id, c.verdict]));
  const check = (id: string) => report.checks.find((c) => c.id === id)!;
  return { run, report, verdicts, check };
}

describe('walkeeper doctor', () => {
  test('a healthy WAL database: every check, each with a verdict and a one-line fix', () => {
    const path = newPath();
    const db = walDatabase(path, 20);
    const before = fingerprint(path);
    const { run, report, verdicts } = doctor(path);
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(verdicts).toEqual({
      'journal-mode': 'pass',
      synchronous: 'info',
      'busy-timeout': 'info',
      'journal-size-limit': 'info',
      autocheckpoint: 'info',
      'sqlite-version': 'pass',
      filesystem: expect.stringMatching(/^(pass|warn|skip)$/),
      'directory-writable': 'pass',
      'database-writable': 'pass',
      'shm-writable': 'pass',
      'wal-size': 'pass',
      'leftover-wal': 'pass',
    });
    for (const check of report.checks) {
      expect(check.fix).toMatch(/^[A-Z].+[^.]$/);
      expect(check.fix).not.toContain('\n');
    }
    expect(fingerprint(path)).toEqual(before);
    db.close();
  });

  test('text output: a verdict per check, a fix under every one that is not a pass, a summary', () => {
    const path = newPath();
    closedWalDatabase(path);
    const run = walkeeper(['doctor', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^walkeeper doctor .*test\.db\n\n/);
    expect(run.stdout).toMatch(/ {2}PASS {2}WAL mode +journal_mode is wal/);
    expect(run.stdout).toMatch(
      / {2}INFO {2}busy timeout .*\n +fix: Set PRAGMA busy_timeout = 5000/,
    );
    expect(run.stdout).toMatch(/ {2}PASS {2}SQLite >= 3\.51\.3/);
    expect(run.stdout).toMatch(
      /\d+ passed, 0 warnings, 0 failed, 4 to check in the application\n$/,
    );
    expect(filesBeside(path)).toEqual(['test.db']);
  });

  test('the file system type comes from /proc/mounts', () => {
    const path = newPath();
    closedWalDatabase(path);
    const { check } = doctor(path);
    const filesystem = check('filesystem');
    if (process.platform === 'linux') expect(filesystem.detail).toMatch(/^\S+ at \//);
    else expect(filesystem.verdict).toBe('skip');
  });

  test('not in WAL mode fails, exit 1', () => {
    const path = newPath();
    rollbackDatabase(path);
    const { run, check } = doctor(path);
    expect(run.code).toBe(1);
    expect(check('journal-mode')).toMatchObject({
      verdict: 'fail',
      fix: expect.stringContaining('PRAGMA journal_mode = WAL'),
    });
    expect(filesBeside(path)).toEqual(['test.db']);
  });

  test('SQLite older than 3.51.3 wrote the database: fails with the WAL-reset bug', () => {
    const path = newPath();
    closedWalDatabase(path);
    setLastWriterVersion(path, 3_051_002);
    const { run, check } = doctor(path);
    expect(run.code).toBe(1);
    expect(check('sqlite-version')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringMatching(/3\.51\.2, which last wrote the database.*WAL-reset bug/),
    });
  });

  test('a WAL much larger than the database fails', () => {
    const path = newPath();
    closedWalDatabase(path, 5);
    // A sparse -wal: its size is all the check reads.
    writeFileSync(`${path}-wal`, '');
    truncateSync(`${path}-wal`, 80 * 2 ** 20);
    const { run, check } = doctor(path);
    expect(run.code).toBe(1);
    expect(check('wal-size')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringMatching(/^-wal 80\.0 MiB, database .*: the WAL is much larger/),
    });
  });

  test('a -wal left without its database fails (exit 1) instead of being bad usage', () => {
    const path = newPath();
    const db = walDatabase(path, 10);
    const wal = `${path}-wal`;
    renameSync(wal, `${wal}.keep`);
    db.close();
    renameSync(`${wal}.keep`, wal);
    renameSync(path, `${path}.moved`);
    const { run, check, verdicts } = doctor(path);
    expect(run.code).toBe(1);
    expect(check('leftover-wal')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('-wal'),
      fix: expect.stringContaining('never delete it unread'),
    });
    expect(verdicts['journal-mode']).toBe('skip');
    expect(filesBeside(path)).toEqual(['test.db-wal', 'test.db.moved']);
    const status = walkeeper(['status', path]);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('-wal does: run `walkeeper doctor');
  });

  test('a directory and a -shm the user cannot write fail', () => {
    const path = newPath();
    const db = walDatabase(path, 10);
    openDirectoryForReading(path);
    if (!runsAsRoot()) {
      // Not root: run as ourselves with the write bits taken away (root would ignore them).
      chmodSync(dirname(path), 0o555);
      chmodSync(`${path}-shm`, 0o444);
      chmodSync(path, 0o444);
    }
    const { run, check } = doctor(path, 'unprivileged');
    chmodSync(dirname(path), 0o755);
    expect(run.code).toBe(1);
    expect(check('directory-writable')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringMatching(
        /is not writable for uid \d+: SQLite cannot create -wal and -shm/,
      ),
    });
    expect(check('shm-writable')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining(
        'every connection in WAL mode, readers too, needs to write it',
      ),
    });
    expect(check('database-writable').verdict).toBe('fail');
    db.close();
  });
});
