import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, test } from 'vitest';
import { readLocksOn, shmReaders } from '../src/shm-readers.js';
import { newPath, walDatabase, walkeeper } from './support.js';

const linux = existsSync('/proc/locks');
const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill();
    await exited;
  }
});

/**
 * Another process (a `sqlite3` shell, a backup) with the database open: inside a read
 * transaction when `transaction`, else merely connected. Resolves once it holds its locks.
 */
async function otherProcess(path: string, transaction: boolean): Promise<ChildProcess> {
  const script = `
    const Database = require(${JSON.stringify(betterSqlite3)});
    const db = new Database(${JSON.stringify(path)}, { readonly: true });
    ${transaction ? "db.exec('BEGIN');" : ''}
    db.prepare('SELECT count(*) AS n FROM sqlite_schema').get();
    process.stdout.write('ready\\n');
    process.stdin.on('data', () => {});
    process.stdin.on('end', () => process.exit(0));
  `;
  const child = spawn(process.execPath, ['-e', script, 'pinning-reader-marker'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const [chunk] = await once(child.stdout!, 'data');
  expect(String(chunk)).toBe('ready\n');
  return child;
}

describe('readLocksOn (/proc/locks text)', () => {
  test('finds the read locks on one file: slots from the bytes, waiters and writes left out', () => {
    const text = [
      '1: POSIX  ADVISORY  READ 4242 fe:00:777 124 124',
      '2: POSIX  ADVISORY  READ 4242 fe:00:777 128 128',
      '3: POSIX  ADVISORY  READ 5151 fe:00:777 128 128',
      '4: POSIX  ADVISORY  WRITE 6161 fe:00:777 120 120',
      '5: POSIX  ADVISORY  READ 7171 fe:00:778 123 123',
      '6: POSIX  ADVISORY  READ 8181 fe:01:777 123 123',
      '7: -> POSIX  ADVISORY  READ 9191 fe:00:777 125 125',
      '8: OFDLCK ADVISORY  READ -1 fe:00:777 123 123',
      '9: POSIX  ADVISORY  READ 3131 fe:00:777 0 EOF',
      '10: FLOCK  ADVISORY  WRITE 2121 fe:00:777 0 EOF',
    ].join('\n');
    const holders = readLocksOn(text, 'fe:00', 777);
    expect(Object.fromEntries([...holders].map(([pid, slots]) => [pid, [...slots]]))).toEqual({
      3131: [0, 1, 2, 3, 4],
      4242: [1],
      5151: [],
    });
  });

  test('is undefined without a -shm or without /proc/locks', () => {
    expect(shmReaders(`${newPath()}-shm`)).toBeUndefined();
    const path = newPath();
    walDatabase(path).close();
    const noProc = { locks: () => undefined, cmdline: () => undefined };
    expect(shmReaders(`${path}-shm`, noProc)).toBeUndefined();
  });
});

describe.runIf(linux)('status and doctor list the processes holding the -shm', () => {
  test('a process inside a read transaction is listed with its pid, command and slot', async () => {
    const path = newPath();
    const db = walDatabase(path);
    try {
      const reader = await otherProcess(path, true);
      const idle = await otherProcess(path, false);
      expect(statSync(`${path}-shm`).size).toBeGreaterThan(0);

      const status = JSON.parse(walkeeper(['status', path, '--json']).stdout);
      const doctor = JSON.parse(walkeeper(['doctor', path, '--json']).stdout);
      for (const readers of [status.readers, doctor.readers]) {
        const pinning = readers.find((r: { pid: number }) => r.pid === reader.pid);
        expect(pinning).toEqual({
          pid: reader.pid,
          command: expect.stringContaining('pinning-reader-marker'),
          slots: [expect.any(Number)],
        });
        expect(readers.find((r: { pid: number }) => r.pid === idle.pid)).toMatchObject({
          slots: [],
        });
        // Readers inside a transaction come first.
        expect(readers[0].slots.length).toBeGreaterThan(0);
      }

      const text = walkeeper(['status', path]).stdout;
      expect(text).toContain('readers (read locks on the -shm):');
      expect(text).toMatch(
        new RegExp(`pid ${reader.pid} \\(.*pinning-reader-marker\\) inside a read transaction`),
      );
      expect(walkeeper(['doctor', path]).stdout).toContain(`pid ${reader.pid} `);

      reader.stdin!.end();
      await once(reader, 'exit');
      const after = JSON.parse(walkeeper(['status', path, '--json']).stdout);
      expect(after.readers.map((r: { pid: number }) => r.pid)).not.toContain(reader.pid);
    } finally {
      db.close();
    }
  });
});
