import { openWalkeeper } from '@walkeeper/core';
import { afterAll, describe, expect, test } from 'vitest';
import { driver, exited, newPath, nextMessage, removeTempDirs, spawnFixture } from './support.js';

afterAll(removeTempDirs);

/**
 * Found by the contention test: SQLite takes its checkpoint lock without a busy handler, so
 * while another process runs any checkpoint (a PASSIVE from its scheduler, say) a RESTART or
 * TRUNCATE used to come back busy at once (0 ms, log -1) instead of waiting up to its
 * `maxStallMs`; strategies then backed off and with several processes the WAL grew past its
 * cap. Core now retries while the lock is held elsewhere, within the stall cap. The other
 * process here holds no reader, so every reset with a 2 s stall cap must complete.
 */
describe('a reset while another process checkpoints', () => {
  test('TRUNCATE waits for the checkpoint lock within its stall cap, and completes', async () => {
    const path = newPath();
    const wk = await openWalkeeper({ path, driver });
    wk.write((tx) => tx.exec('CREATE TABLE IF NOT EXISTS elsewhere (body BLOB NOT NULL)'));
    const other = spawnFixture('checkpointer-elsewhere.mjs', [path]);
    try {
      await nextMessage<{ t: string }>(other, (message) => message.t === 'running');
      const busy: { logFrames: number; durationMs: number }[] = [];
      for (let i = 0; i < 30; i++) {
        const result = await wk.checkpoint('TRUNCATE', { maxStallMs: 2000 });
        if (result.busy) busy.push({ logFrames: result.logFrames, durationMs: result.durationMs });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(busy).toEqual([]);
    } finally {
      other.kill('SIGKILL');
      await exited(other);
      await wk.close();
    }
  });
});
