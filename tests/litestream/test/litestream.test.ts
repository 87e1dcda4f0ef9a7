import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWalkeeper } from '@walkeeper/core';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, test } from 'vitest';
import { sleep, WriterProcess } from './app.js';
import { generations, Replicator, restore, writeConfig } from './litestream.js';

const cli = createRequire(import.meta.url)
  .resolve('@walkeeper/cli/package.json')
  .replace(/package\.json$/, 'dist/cli.js');
const walkeeperCli = (args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

/** The paced run with Litestream replicating: 30 s, as the issue asks (shorter with the env). */
const RUN_MS = Number(process.env.WALKEEPER_LITESTREAM_SECONDS ?? 30) * 1000;
const PAGE = 4096;

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'walkeeper-litestream-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Rows and integrity of a restored copy. */
function inspect(path: string): { maxId: number; count: number; integrity: string } {
  const db = new Database(path, { readonly: true });
  try {
    const { maxId, count } = db
      .prepare('SELECT coalesce(max(id), 0) AS maxId, count(*) AS count FROM events')
      .get() as { maxId: number; count: number };
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    return { maxId, count, integrity };
  } finally {
    db.close();
  }
}

/** A database in WAL mode that exists before anything else opens it. */
async function createDatabase(path: string): Promise<void> {
  const wk = await openWalkeeper({ path, driver: betterSqlite3() });
  wk.write((tx) =>
    tx.exec('CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'),
  );
  await wk.close();
}

/** A database that exists, Litestream replicating it, then the application writing to it. */
async function replicatedApp() {
  const dir = newDir();
  const path = join(dir, 'app.db');
  await createDatabase(path);
  const config = writeConfig(dir, path);
  const litestream = new Replicator(config);
  await litestream.ready();
  const app = new WriterProcess(path);
  await app.ready();
  return { dir, path, config, litestream, app };
}

describe('walkeeper beside a real Litestream', () => {
  const figures: Record<string, unknown> = {};
  afterAll(() => {
    // The closing note's figures: rows, generations, WAL maximum, write p99 with and without.
    console.info(`litestream figures: ${JSON.stringify(figures)}`);
  });

  test('a paced workload under the default plugins, then SIGKILL: every acknowledged row restored, one generation, no resets, write p99 within 2x', async () => {
    // Without Litestream first, for the p99 to compare against.
    const plainDir = newDir();
    const plain = new WriterProcess(join(plainDir, 'app.db'));
    await plain.ready();
    await sleep(Math.min(RUN_MS, 10_000));
    await plain.stop();
    const p99Without = plain.stats!.p99Ms;

    const { dir, config, litestream, app } = await replicatedApp();
    await sleep(RUN_MS);
    const stats = app.stats!;
    await app.kill();
    const acknowledged = app.lastAck;
    // Litestream ships what the killed app committed, then stops cleanly.
    await sleep(1000);
    await litestream.stop();

    const restored = join(dir, 'restored.db');
    await restore(config, restored);
    const copy = inspect(restored);
    const gens = await generations(config);
    Object.assign(figures, {
      rowsAcknowledged: acknowledged,
      rowsRestored: copy.maxId,
      generations: gens.length,
      walMaxBytes: stats.walMax,
      writeP99MsWith: stats.p99Ms,
      writeP99MsWithout: p99Without,
      resetsAttempted: stats.resets,
    });
    expect(copy.integrity).toBe('ok');
    expect(copy.maxId).toBeGreaterThanOrEqual(acknowledged);
    expect(copy.count).toBe(copy.maxId);
    expect(gens).toHaveLength(1);
    expect(stats.owner).toBe('litestream');
    expect(stats.resets).toBe(0);
    expect(stats.walMax).toBeLessThan(config.maxCheckpointPages * (PAGE + 24));
    expect(stats.p99Ms).toBeLessThanOrEqual(2 * Math.max(p99Without, 1));
  });

  test('walkeeper first, Litestream attached later: walkeeper hands checkpoints over', async () => {
    const dir = newDir();
    const path = join(dir, 'app.db');
    const app = new WriterProcess(path);
    await app.ready();
    await sleep(2000);
    const config = writeConfig(dir, path);
    const litestream = new Replicator(config);
    await litestream.ready();
    // Detection takes a scheduler tick or two after Litestream creates its tables.
    await sleep(2000);
    const handedOver = app.stats!;
    await sleep(5000);
    const after = app.stats!;
    await app.stop();
    const acknowledged = app.lastAck;
    await litestream.stop();
    const restored = join(dir, 'restored.db');
    await restore(config, restored);
    expect(handedOver.owner).toBe('litestream');
    expect(after.resets).toBe(handedOver.resets);
    expect(inspect(restored)).toMatchObject({ integrity: 'ok', maxId: acknowledged });
    expect(await generations(config)).toHaveLength(1);
  });

  test('Litestream first, walkeeper opened later: it cooperates from the start', async () => {
    const { dir, path, config, litestream, app } = await replicatedApp();
    await sleep(6000);
    const stats = app.stats!;
    // The CLI says so too, read from the file system while both run.
    const status = JSON.parse(walkeeperCli(['status', '--json', path]).stdout) as {
      litestream: { generation: string; running: boolean } | null;
    };
    const doctor = walkeeperCli(['doctor', path]).stdout;
    await app.stop();
    const acknowledged = app.lastAck;
    await litestream.stop();
    const restored = join(dir, 'restored.db');
    await restore(config, restored);
    expect(stats.owner).toBe('litestream');
    expect(stats.resets).toBe(0);
    expect(inspect(restored)).toMatchObject({ integrity: 'ok', maxId: acknowledged });
    const gens = await generations(config);
    expect(gens).toHaveLength(1);
    expect(status.litestream).toEqual(
      expect.objectContaining({ generation: gens[0], running: true }),
    );
    expect(doctor).toContain(
      `litestream: replicates this database (generation ${gens[0]}; running now)`,
    );
    expect(doctor).toContain('never resets the WAL');
  });
});
