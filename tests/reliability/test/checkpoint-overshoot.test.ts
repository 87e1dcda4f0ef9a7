import { statSync } from 'node:fs';
import { openWalkeeper } from '@walkeeper/core';
import { sizeCapped } from '@walkeeper/strategies';
import { afterAll, describe, expect, test } from 'vitest';
import { createDriver } from './fixtures/slow-checkpoint-driver.mjs';
import { MiB, newPath, removeTempDirs } from './support.js';

afterAll(removeTempDirs);

/**
 * KNOWN BUG (core, packages/core/src/walkeeper.ts `checkpoint()` / `#runExclusive`, and the
 * scheduler's tick), found by the soak and the contention test: checkpoints run one at a time,
 * so a reset the strategy asks for waits until a PASSIVE in flight on the checkpointer thread
 * has finished, and the scheduler does not even ask it meanwhile. A busy writer goes on
 * filling the log: measured 9.8 to 13 MiB for an 8 MiB sizeCapped cap in the soak, 4.4 to
 * 6.5 MiB for 4 MiB in contention. Here every PASSIVE takes 300 ms (a slow fsync, made
 * repeatable) while one process writes 6 MiB; sizeCapped promises 1 MiB. Remove `.fails` once
 * a reset no longer queues behind a PASSIVE (or writes are held back at the cap).
 */
describe('a busy writer while a PASSIVE checkpoint is slow', () => {
  test.fails('KNOWN BUG: the WAL stays under the sizeCapped cap', async () => {
    const path = newPath();
    const cap = MiB;
    const wk = await openWalkeeper({
      path,
      driver: createDriver({ passiveDelayMs: 300 }),
      checkpoint: { intervalMs: 10 },
      plugins: [sizeCapped({ maxWalBytes: cap })],
    });
    let walMax = 0;
    try {
      wk.write((tx) => tx.exec('CREATE TABLE t (body BLOB NOT NULL)'));
      for (let i = 0; i < 100; i++) {
        wk.write((tx) => tx.run('INSERT INTO t (body) VALUES (randomblob(64 * 1024))'));
        walMax = Math.max(walMax, statSync(`${path}-wal`).size);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    } finally {
      await wk.close();
    }
    expect(walMax).toBeLessThanOrEqual(cap);
  });
});
