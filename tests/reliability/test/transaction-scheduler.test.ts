import { openWalkeeper } from '@walkeeper/core';
import { sizeCapped } from '@walkeeper/strategies';
import { afterAll, describe, expect, test } from 'vitest';
import { driver, MiB, newPath, removeTempDirs } from './support.js';

afterAll(removeTempDirs);

describe('a transaction() held across awaits', () => {
  // Found by the batch crash test: the scheduler's tick sampled the WAL with
  // `wal_checkpoint(NOOP)` on the writer connection, which SQLite refuses inside the open
  // transaction (SQLITE_LOCKED), so every tick while a transaction() awaited was a strategy
  // error and the watchdog took over. Ticks now use the latest sample until it ends.
  test('the scheduler never ticks on the writer inside it (no SQLITE_LOCKED, no watchdog)', async () => {
    const errors: string[] = [];
    const wk = await openWalkeeper({
      path: newPath('walkeeper-tx-scheduler-'),
      driver,
      checkpoint: { intervalMs: 20 },
      plugins: [sizeCapped({ maxWalBytes: MiB })],
      onPluginError: (error, plugin, hook) =>
        errors.push(`${plugin} ${hook}: ${(error as { code?: string }).code}`),
    });
    try {
      wk.write((tx) => tx.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)'));
      await wk.transaction(async (tx) => {
        tx.run('INSERT INTO t (body) VALUES (randomblob(100))');
        // Ten scheduler intervals and more.
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      const scheduler = wk.stats().scheduler;
      expect(errors).toEqual([]);
      expect(scheduler?.strategyErrors).toBe(0);
      expect(scheduler?.watchdogEngaged).toBe(false);
    } finally {
      await wk.close();
    }
  });
});
