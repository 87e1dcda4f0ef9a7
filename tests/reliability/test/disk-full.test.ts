import { execFileSync } from 'node:child_process';
import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { sizeCapped } from '@walkeeper/strategies';
import { runsAsRoot } from '@walkeeper/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { caught, driver, MiB, newDir, removeTempDirs } from './support.js';

/**
 * A database on a file system that fills up: a 4 MiB tmpfs the test mounts, with a 1 MiB
 * filler file beside the database that the test deletes to give the space back. Only root
 * may mount; anyone else skips the file (the reason is in the describe's name).
 *
 * What walkeeper must do (issue 21): refuse each write with E_DISK_FULL naming the database
 * instead of SQLite's bare SQLITE_FULL, keep the -wal at its cap (a checkpoint that cannot grow
 * the database must not let the log grow on until it has taken the whole disk), say so in
 * health() as the DISK_FULL reason while it lasts, and write again once there is room.
 */
const DISK = '4m';
const FILLER_BYTES = 1 * MiB;
/** The sizeCapped strategy's cap: an eighth of the disk, so the log cycles several times first. */
const CAP = 512 * 1024;
/**
 * The cap may be passed by the transaction that crosses it, as in the soak: one row here is a
 * leaf page, with an interior page or two when the tree splits; a frame is a page plus 24 bytes.
 */
const CROSSING_TRANSACTION_BYTES = 4 * (4096 + 24);
/** One row is about one 4 KiB page: each committed write adds a frame to the -wal. */
const ROW_BYTES = 3000;
/** Writes tried after the first refusal, each of which must be refused the same way. */
const WRITES_WHILE_FULL = 20;

afterAll(removeTempDirs);

interface Refusal {
  error: Awaited<ReturnType<typeof caught>>;
  walBytes: number;
}

describe.skipIf(!runsAsRoot())(
  'a full disk (needs root to mount a tmpfs: skipped otherwise)',
  () => {
    let mountPoint: string;
    let mounted = false;
    let path: string;
    let filler: string;
    let wk: Walkeeper;
    /** Ids whose write() returned: committed, so they must survive everything that follows. */
    const acknowledged: number[] = [];
    /** Each refused write's error, and the -wal's size right after it. */
    const refusals: Refusal[] = [];
    let nextId = 1;

    const pause = () => new Promise((resolve) => setTimeout(resolve, 1));
    const walBytes = () => statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    /** One row in its own write(), then a pause as a busy application has: checkpoints run then. */
    async function tryWrite(): Promise<void> {
      const id = nextId++;
      try {
        writeRow(id);
        acknowledged.push(id);
      } catch (error) {
        refusals.push({ error: error as Refusal['error'], walBytes: walBytes() });
      }
      await pause();
    }
    const writeRow = (id: number) =>
      wk.write((tx) => {
        tx.run('INSERT INTO rows (id, body) VALUES (?, randomblob(?))', [id, ROW_BYTES]);
      });

    beforeAll(async () => {
      mountPoint = newDir('walkeeper-disk-full-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', mountPoint]);
      mounted = true;
      path = join(mountPoint, 'test.db');
      filler = join(mountPoint, 'filler');
      writeFileSync(filler, Buffer.alloc(FILLER_BYTES, 1));
      wk = await openWalkeeper({ path, driver, plugins: [sizeCapped({ maxWalBytes: CAP })] });
      wk.write((tx) => tx.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)'));
    });

    afterAll(async () => {
      await wk?.close().catch(() => undefined);
      // Always unmount, even after a failure: a mount left behind outlives the run.
      if (mounted) execFileSync('umount', [mountPoint]);
    });

    test('writes until SQLite reports SQLITE_FULL; each refused write is E_DISK_FULL naming the database', async () => {
      while (refusals.length === 0) {
        if (nextId > 10_000) throw new Error('10,000 rows fit on a 4 MiB disk: it never filled');
        await tryWrite();
      }
      for (let i = 0; i < WRITES_WHILE_FULL; i++) await tryWrite();
      console.log(
        `disk full: ${acknowledged.length} rows acknowledged, ${refusals.length} writes refused, -wal at most ${Math.max(...refusals.map((r) => r.walBytes))} bytes while full (cap ${CAP})`,
      );
      expect(acknowledged.length).toBeGreaterThan(100);
      // The disk stays full, so every write after the first refusal is refused too.
      expect(refusals).toHaveLength(1 + WRITES_WHILE_FULL);
      for (const { error } of refusals) {
        expect(error).toMatchObject({
          name: 'WalkeeperError',
          code: 'E_DISK_FULL',
          sqliteCode: expect.stringMatching(/^SQLITE_FULL/),
          details: expect.objectContaining({ path }),
        });
        expect(error.message).toContain(path);
      }
    });

    test('the -wal does not grow past the cap while the disk is full', () => {
      for (const refusal of refusals)
        expect(refusal.walBytes).toBeLessThanOrEqual(CAP + CROSSING_TRANSACTION_BYTES);
      expect(walBytes()).toBeLessThanOrEqual(CAP + CROSSING_TRANSACTION_BYTES);
    });

    test('a checkpoint while the disk is full rejects with E_DISK_FULL naming the database', async () => {
      const error = await caught(() => wk.checkpoint('TRUNCATE'));
      expect(error).toMatchObject({
        name: 'WalkeeperError',
        code: 'E_DISK_FULL',
        sqliteCode: expect.stringMatching(/^SQLITE_FULL/),
        details: expect.objectContaining({ path }),
      });
      expect(error.message).toContain(path);
    });

    test('health() reports the full disk while it lasts', () => {
      const health = wk.health();
      expect(health.status).toBe('critical');
      expect(health.reasons).toContainEqual(
        expect.objectContaining({ code: 'DISK_FULL', severity: 'critical' }),
      );
    });

    test('nothing acknowledged is lost, and integrity_check is ok, while full', async () => {
      const rows = await wk.read<{ id: number }>('SELECT id FROM rows ORDER BY id');
      expect(rows.map((row) => row.id)).toEqual(acknowledged);
      expect(await wk.read('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    });

    test('once space is freed the same walkeeper writes again, and health() no longer reports it', async () => {
      unlinkSync(filler);
      for (let i = 0; i < 50; i++) {
        const id = nextId++;
        writeRow(id);
        acknowledged.push(id);
      }
      expect(wk.health().reasons.map((reason) => reason.code)).not.toContain('DISK_FULL');
      const rows = await wk.read<{ id: number }>('SELECT id FROM rows ORDER BY id');
      expect(rows.map((row) => row.id)).toEqual(acknowledged);
      expect(await wk.read('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    });

    test('after close, a new connection finds every acknowledged row', async () => {
      await wk.close();
      const db = driver.open(path, { readonly: true });
      try {
        const ids = db.prepare<{ id: number }>('SELECT id FROM rows ORDER BY id').all();
        expect(ids.map((row) => row.id)).toEqual(acknowledged);
        expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
      } finally {
        db.close();
      }
    });
  },
);
