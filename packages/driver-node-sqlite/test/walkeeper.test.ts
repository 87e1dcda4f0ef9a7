import type { DatabaseSync } from 'node:sqlite';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { afterEach, describe, expect, test } from 'vitest';
// The build, not src: worker threads import the driver's module without vitest's transform.
import { nodeSqlite } from '../dist/index.js';

const open: Walkeeper<DatabaseSync>[] = [];
async function openOne(mode: 'inline' | 'worker'): Promise<Walkeeper<DatabaseSync>> {
  const wk = await openWalkeeper({
    path: tempDatabasePath('walkeeper-node-sqlite-'),
    driver: nodeSqlite(),
    readers: { mode, size: 2 },
  });
  open.push(wk);
  wk.write((tx) => tx.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'));
  return wk;
}
afterEach(async () => {
  for (const wk of open.splice(0)) await wk.close();
});

describe('walkeeper over node:sqlite', () => {
  test('sets busy_timeout, which node:sqlite leaves at 0, on the writer', async () => {
    const wk = await openOne('inline');
    const pragma = (name: string) => wk.raw.prepare(`PRAGMA ${name}`).get();
    expect(pragma('busy_timeout')).toEqual({ timeout: 5000 });
    expect(pragma('journal_mode')).toEqual({ journal_mode: 'wal' });
  });

  test('worker readers, each with its own DatabaseSync, read committed writes', async () => {
    const wk = await openOne('worker');
    wk.write((tx) => {
      for (let i = 1; i <= 100; i++) tx.run('INSERT INTO notes (body) VALUES (?)', [`n${i}`]);
    });
    const reads = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        wk.read('SELECT body FROM notes WHERE id = :id', { id: i + 1 }),
      ),
    );
    expect(reads.map((rows) => rows[0]?.body)).toEqual(
      Array.from({ length: 8 }, (_, i) => `n${i + 1}`),
    );
    expect(await wk.read('PRAGMA busy_timeout')).toEqual([{ timeout: 5000 }]);
  });

  test('checkpoints empty the WAL, with readers open', async () => {
    const wk = await openOne('worker');
    wk.write((tx) => {
      for (let i = 0; i < 500; i++)
        tx.run('INSERT INTO notes (body) VALUES (?)', ['x'.repeat(200)]);
    });
    expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 500 }]);
    expect(wk.sampleWal().walBytes).toBeGreaterThan(0);
    const result = await wk.checkpoint('TRUNCATE');
    expect(result.busy).toBe(false);
    expect(wk.sampleWal().walBytes).toBe(0);
  });
});
