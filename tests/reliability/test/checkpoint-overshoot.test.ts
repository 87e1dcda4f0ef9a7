import { statSync } from 'node:fs';
import { openWalkeeper } from '@walkeeper/core';
import { sizeCapped } from '@walkeeper/strategies';
import { afterAll, describe, expect, test } from 'vitest';
import { createDriver } from './fixtures/slow-checkpoint-driver.mjs';
import { MiB, newPath, removeTempDirs } from './support.js';

afterAll(removeTempDirs);

/**
 * Found by the soak and the contention test: checkpoints run one at a time, so a reset the
 * strategy asks for used to wait until a PASSIVE in flight on the checkpointer thread had
 * finished while a busy writer went on filling the log (7 MiB here for a 1 MiB cap; 9.8 to
 * 28 MiB for 8 MiB in the soak). Core now holds a commit that finds the -wal at the cap while
 * a checkpoint runs, and resets the log itself once that checkpoint ends. Here every PASSIVE
 * takes 300 ms (a slow fsync, made repeatable) while one process writes 6.4 MiB in 64 KiB rows.
 * The commit that crosses the cap is already made when anyone can look, so the WAL may pass
 * the cap by that one transaction (a 64 KiB row is 17 frames, about 70 KiB), never more.
 */
describe('a busy writer while a PASSIVE checkpoint is slow', () => {
  test('the WAL stays under the sizeCapped cap, but for the commit that crosses it', async () => {
    const path = newPath();
    const cap = MiB;
    const wk = await openWalkeeper({
      path,
      driver: createDriver({ passiveDelayMs: 300 }),
      checkpoint: { intervalMs: 10 },
      plugins: [sizeCapped({ maxWalBytes: cap })],
    });
    let walMax = 0;
    let stats: ReturnType<typeof wk.stats>;
    try {
      wk.write((tx) => tx.exec('CREATE TABLE t (body BLOB NOT NULL)'));
      for (let i = 0; i < 100; i++) {
        wk.write((tx) => tx.run('INSERT INTO t (body) VALUES (randomblob(64 * 1024))'));
        walMax = Math.max(walMax, statSync(`${path}-wal`).size);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      stats = wk.stats();
    } finally {
      await wk.close();
    }
    const oneTransaction = 17 * (4096 + 24);
    expect(walMax).toBeLessThanOrEqual(cap + oneTransaction);
    expect(stats.writes.heldAtCap).toBeGreaterThan(0);
    expect(stats.checkpoints.byMode.TRUNCATE.complete).toBeGreaterThan(0);
  });
});
