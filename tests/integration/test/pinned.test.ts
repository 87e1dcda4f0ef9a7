import { statSync } from 'node:fs';
import type { Walkeeper } from '@walkeeper/core';
import { tiered } from '@walkeeper/strategies';
import { afterEach, describe, expect, test } from 'vitest';
import { connect, open } from './support.js';

const MiB = 2 ** 20;
const BODY = 'p'.repeat(400);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const opened: Walkeeper[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((wk) => wk.close()));
});

/** The writer for `ms`: 50 rows of 400 bytes every 5 ms. */
async function writeFor(wk: Walkeeper, ms: number, until?: () => boolean): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end && !until?.()) {
    wk.write((tx) => {
      for (let i = 0; i < 50; i++) tx.run('INSERT INTO notes (body) VALUES (?)', [BODY]);
    });
    await sleep(5);
  }
}

function checkpoints(wk: Walkeeper): { all: number; truncated: number } {
  const { count, byMode } = wk.stats().checkpoints;
  return { all: count, truncated: byMode.TRUNCATE.complete };
}

describe('a reader walkeeper does not own holds one snapshot', () => {
  test('checkpoints stay few, health names the pin, and the WAL resets soon after it commits', async () => {
    const wk = await open({
      checkpoint: { intervalMs: 10 },
      plugins: [tiered({ resetBytes: MiB, emergencyBytes: 64 * MiB })],
    });
    opened.push(wk);
    await writeFor(wk, 200);

    // Another connection (a backup, a `sqlite3` shell) begins a read and stays inside it.
    const reader = connect(wk.path, { readonly: true });
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) AS n FROM notes').get();
      const before = checkpoints(wk);
      const pinnedAt = performance.now();
      await writeFor(wk, 3000);
      const pinnedSeconds = (performance.now() - pinnedAt) / 1000;

      // Without the backoff this was thousands of PASSIVEs a second; now at most a few.
      const attempts = checkpoints(wk).all - before.all;
      expect(attempts).toBeGreaterThan(0);
      expect(attempts / pinnedSeconds).toBeLessThanOrEqual(3);
      expect(statSync(`${wk.path}-wal`).size).toBeGreaterThan(MiB);

      const health = wk.health();
      const reason = health.reasons.find((r) => r.code === 'WAL_PINNED_BY_READER');
      expect(reason).toMatchObject({ severity: 'degraded' });
      const pin = wk.stats().scheduler?.pin;
      expect(pin?.frames).toBeGreaterThan(0);
      expect(pin?.forMs).toBeGreaterThan(1000);
      expect(reason?.message).toContain(`${pin?.frames} frames`);

      // The reader commits: within a second the log is backfilled and truncated.
      reader.exec('COMMIT');
      const released = performance.now();
      await writeFor(wk, 3000, () => checkpoints(wk).truncated > before.truncated);
      expect(checkpoints(wk).truncated).toBeGreaterThan(before.truncated);
      expect(performance.now() - released).toBeLessThan(1000);
      expect(wk.health().reasons.map((r) => r.code)).not.toContain('WAL_PINNED_BY_READER');
      expect(wk.stats().scheduler?.pin).toBeUndefined();
    } finally {
      if (reader.inTransaction) reader.exec('COMMIT');
      reader.close();
    }
  });

  test('nothing pinned: the committing writer finishes the backfill and SQLite restarts the log', async () => {
    const wk = await open({ plugins: [tiered()] });
    opened.push(wk);
    let walPeak = 0;
    const end = performance.now() + 3000;
    while (performance.now() < end) {
      wk.write((tx) => {
        for (let i = 0; i < 50; i++) tx.run('INSERT INTO notes (body) VALUES (?)', [BODY]);
      });
      walPeak = Math.max(walPeak, statSync(`${wk.path}-wal`).size);
      await sleep(5);
    }
    // SQLite's own autocheckpoint keeps this writer's -wal near 4 MiB (1,000 pages); the
    // off-thread PASSIVE alone let it reach 32 MiB, the reset tier's size.
    expect(walPeak).toBeLessThan(8 * MiB);
    expect(wk.stats().checkpoints.byMode.TRUNCATE.complete).toBe(0);
    expect(wk.health().status).toBe('ok');
  });
});
