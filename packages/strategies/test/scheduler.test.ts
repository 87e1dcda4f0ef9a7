import { statSync } from 'node:fs';
import {
  openWalkeeper,
  type SqliteDriverModule,
  type Walkeeper,
  type WalkeeperOptions,
} from '@walkeeper/core';
import { schedulerOf, tempDatabasePath } from '@walkeeper/core/testing';
import { afterEach, describe, expect, test } from 'vitest';
import { defineStrategy, external, maintenance, sizeCapped } from '../src/index.js';
import { MiB } from './wal-model.js';

// One suite for both runtimes: better-sqlite3 under Node, bun:sqlite under Bun.
const { createDriver } = (await import(
  process.versions.bun === undefined ? '@walkeeper/driver-better-sqlite3' : '@walkeeper/driver-bun'
)) as SqliteDriverModule;
const runtimeDriver = () => createDriver({});

const opened: Walkeeper[] = [];

async function open(options: Partial<WalkeeperOptions> = {}): Promise<Walkeeper> {
  const wk = await openWalkeeper({
    path: tempDatabasePath('walkeeper-strategies-'),
    driver: runtimeDriver(),
    ...options,
  });
  wk.write((tx) => tx.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'));
  opened.push(wk);
  return wk;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((wk) => wk.close()));
});

function autocheckpoint(wk: Walkeeper): unknown {
  const raw = wk.raw as {
    pragma?: (source: string, options: { simple: true }) => unknown;
    query?: (sql: string) => { get(): Record<string, unknown> | null };
  };
  if (raw.pragma) return raw.pragma('wal_autocheckpoint', { simple: true });
  return Object.values(raw.query!('PRAGMA wal_autocheckpoint').get() ?? {})[0];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the scheduler on a real database', () => {
  test('holds a starving workload under its cap: readers always overlap, the writer keeps its pace', async () => {
    const cap = 4 * MiB;
    const wk = await open({
      readers: { size: 2, mode: 'worker' },
      plugins: [sizeCapped({ maxWalBytes: cap })],
    });
    expect(autocheckpoint(wk)).toBe(0);
    let running = true;
    let peak = 0;
    let reads = 0;
    const readers = Array.from({ length: 20 }, async () => {
      while (running) {
        await wk.read(
          'SELECT count(*) AS n, max(id) AS top FROM rows WHERE id > (SELECT max(id) - 500 FROM rows)',
        );
        reads++;
      }
    });
    // The bench's starvation writer: 20,000 rows a second of 200 bytes, 50 rows a transaction.
    const body = 'x'.repeat(200);
    const started = performance.now();
    let rows = 0;
    // The log's resets: a TRUNCATE through the barrier, or SQLite restarting a log that the
    // committing writer finished backfilling (readers then start on read-mark slot 0).
    let resets = 0;
    let frames = 0;
    while (performance.now() - started < 3000) {
      wk.write((tx) => {
        for (let i = 0; i < 50; i++) tx.run('INSERT INTO rows (body) VALUES (?)', [body]);
      });
      rows += 50;
      const sampled = wk.sampleWal().frames;
      if (sampled < frames) resets++;
      frames = sampled;
      peak = Math.max(peak, statSync(`${wk.path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
      const due = started + (rows / 20_000) * 1000;
      await sleep(Math.max(0, due - performance.now()));
    }
    running = false;
    await Promise.all(readers);
    const stats = wk.stats();
    // Paced at 60,000 rows in 3 s; on a loaded machine the writer may fall behind, never stall.
    expect(rows).toBeGreaterThan(30_000);
    expect(reads).toBeGreaterThan(100);
    expect(peak).toBeLessThanOrEqual(cap * 1.25);
    expect(resets).toBeGreaterThan(0);
    expect(stats.checkpoints.byMode.PASSIVE.complete).toBeGreaterThan(0);
    expect(stats.reads.errors).toBe(0);
    expect(stats.scheduler).toMatchObject({
      running: true,
      strategy: 'sizeCapped',
      strategyErrors: 0,
      watchdogEngaged: false,
    });
    expect(stats.wal.capBytes).toBe(cap);
  });

  test('decisions reach the onCheckpointDecision and onCheckpoint hooks', async () => {
    const decisions: string[] = [];
    const results: string[] = [];
    const wk = await open({
      plugins: [
        defineStrategy({
          name: 'eager',
          decide: (s) =>
            s.frames > s.backfilledFrames ? { mode: 'PASSIVE', reason: 'dirty' } : undefined,
        }),
        {
          name: 'observer',
          hooks: {
            onCheckpointDecision: (d) => void decisions.push(`${d.mode}:${d.reason}`),
            onCheckpoint: (r) => void results.push(`${r.mode}:${r.busy}`),
          },
        },
      ],
    });
    wk.write((tx) => tx.run('INSERT INTO rows (body) VALUES (?)', ['x']));
    await sleep(300);
    expect(decisions).toContain('PASSIVE:dirty');
    expect(results).toContain('PASSIVE:false');
    expect(wk.stats().scheduler?.decisions.PASSIVE).toBeGreaterThan(0);
  });

  test('a strategy that throws is isolated; after three failures the watchdog hands checkpoints back', async () => {
    const reported: string[] = [];
    const wk = await open({
      checkpoint: { intervalMs: 10 },
      onPluginError: (error, plugin, hook) =>
        reported.push(`${plugin}/${hook}: ${(error as Error).message}`),
      plugins: [
        defineStrategy({
          name: 'broken',
          decide: () => {
            throw new Error('no idea');
          },
        }),
      ],
    });
    wk.write((tx) => tx.run('INSERT INTO rows (body) VALUES (?)', ['still writes']));
    await sleep(200);
    expect(await wk.read('SELECT body FROM rows')).toEqual([{ body: 'still writes' }]);
    expect(reported[0]).toBe('scheduler/strategy broken: no idea');
    const stats = wk.stats();
    expect(stats.scheduler?.strategyErrors).toBeGreaterThanOrEqual(3);
    expect(stats.scheduler?.watchdogEngaged).toBe(true);
    expect(autocheckpoint(wk)).toBe(1000);
    expect(wk.health().reasons.map((r) => r.code)).toContain('CHECKPOINTS_HANDED_BACK');
  });

  test('the watchdog turns autocheckpoint on when the scheduler stops, and off when it starts', async () => {
    const wk = await open({ plugins: [sizeCapped({ maxWalBytes: 64 * MiB })] });
    expect(autocheckpoint(wk)).toBe(0);
    schedulerOf(wk)!.stop();
    expect(autocheckpoint(wk)).toBe(1000);
    // SQLite's own autocheckpoint now backfills on commit.
    wk.write((tx) => {
      for (let i = 0; i < 6000; i++)
        tx.run('INSERT INTO rows (body) VALUES (?)', ['y'.repeat(1000)]);
    });
    expect(wk.sampleWal().backfilledFrames).toBeGreaterThan(0);
    schedulerOf(wk)!.start();
    expect(autocheckpoint(wk)).toBe(0);
  });

  test('a blocked event loop engages the watchdog from the commit path', async () => {
    const wk = await open({
      checkpoint: { watchdogMs: 50 },
      plugins: [sizeCapped({ maxWalBytes: 64 * MiB })],
    });
    const until = performance.now() + 200;
    // A synchronous bulk load: no timer can fire, but commits still run.
    while (performance.now() < until)
      wk.write((tx) => tx.run('INSERT INTO rows (body) VALUES (?)', ['bulk']));
    expect(wk.stats().scheduler?.watchdogEngaged).toBe(true);
    expect(autocheckpoint(wk)).toBe(1000);
    await sleep(300);
    expect(wk.stats().scheduler?.watchdogEngaged).toBe(false);
    expect(autocheckpoint(wk)).toBe(0);
  });

  test('external never checkpoints and alerts when the WAL passes its cap', async () => {
    const wk = await open({
      pragmas: { walAutocheckpoint: 0 },
      plugins: [external({ maxWalBytes: 256 * 1024 })],
    });
    for (let i = 0; i < 20; i++) {
      wk.write((tx) => {
        for (let j = 0; j < 20; j++)
          tx.run('INSERT INTO rows (body) VALUES (?)', ['z'.repeat(1000)]);
      });
      await sleep(10);
    }
    await sleep(200);
    wk.sampleWal();
    expect(wk.stats().checkpoints.count).toBe(0);
    expect(wk.stats().scheduler?.ticks).toBeGreaterThan(0);
    expect(wk.sampleWal().backfilledFrames).toBe(0);
    expect(wk.health().reasons.map((r) => r.code)).toContain('WAL_OVER_CAP');
  });
});

describe('maintenance', () => {
  test('optimizes on its interval and at close, queued like a checkpoint', async () => {
    const plugin = maintenance({ optimizeEveryMs: 50 });
    const wk = await openWalkeeper({
      path: tempDatabasePath(),
      driver: runtimeDriver(),
      plugins: [plugin],
    });
    wk.write((tx) => tx.exec('CREATE TABLE t (x); CREATE INDEX t_x ON t (x)'));
    await sleep(200);
    const during = plugin.runs;
    expect(during).toBeGreaterThan(0);
    expect(plugin.lastResult?.analysisLimit).toBe(400);
    await wk.close();
    expect(plugin.runs).toBe(during + 1);
  });

  test('bad options are E_CONFIG', () => {
    expect(() => maintenance({ optimizeEveryMs: 0 })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => maintenance({ optimizeAtClose: 'yes' as never })).toThrow(/optimizeAtClose/);
  });
});
