import { openWalkeeper } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { history, monitoringSchema } from '../src/index.js';
import { T0 } from './samples.js';
import { clock, closeOpened, open, query, track } from './support.js';

afterEach(closeOpened);

const count = (path: string, table: string) =>
  query<{ n: number }>(path, `SELECT count(*) AS n FROM ${table}`)[0]!.n;

describe('history(): samples persisted in the monitoring schema', () => {
  test('batches: rows reach the database once per flushEveryMs, in one transaction, and at close', async () => {
    const time = clock();
    const plugin = history({ resolutionMs: 3_600_000, flushEveryMs: 30_000, now: time.now });
    const path = tempDatabasePath('walkeeper-history-');
    const wk = await open(plugin, path);
    for (let i = 0; i < 2; i++) {
      wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['x']));
      await wk.read('SELECT count(*) FROM notes');
      time.advance(10_000);
      plugin.sample();
    }
    expect(count(path, '_walkeeper_wal_metrics')).toBe(0);
    expect(plugin.persistence).toMatchObject({ flushes: 0, pending: 2 });
    await wk.checkpoint('PASSIVE');
    time.advance(10_000);
    plugin.sample();
    expect(plugin.persistence).toMatchObject({ flushes: 1, pending: 0 });
    expect(count(path, '_walkeeper_wal_metrics')).toBe(3);
    expect(count(path, '_walkeeper_connection_metrics')).toBe(3);
    expect(count(path, '_walkeeper_checkpoints')).toBe(1);
    // Health is written when it changes: once here.
    expect(count(path, '_walkeeper_system_health')).toBe(1);

    const rows = query(
      path,
      'SELECT recorded_at, interval_ms, kind, count FROM _walkeeper_query_performance ORDER BY recorded_at, kind',
    );
    expect(rows).toEqual([
      { recorded_at: T0 + 10_000, interval_ms: 10_000, kind: 'read', count: 1 },
      // The schema's CREATE TABLE and the first insert.
      { recorded_at: T0 + 10_000, interval_ms: 10_000, kind: 'write', count: 2 },
      { recorded_at: T0 + 20_000, interval_ms: 10_000, kind: 'read', count: 1 },
      { recorded_at: T0 + 20_000, interval_ms: 10_000, kind: 'write', count: 1 },
    ]);

    // The history's own write transactions are not counted as the application's writes.
    time.advance(10_000);
    expect(plugin.sample()!.writes.count).toBe(0);
    await wk.close();
    expect(count(path, '_walkeeper_wal_metrics')).toBe(5); // the last sample and the one taken at close
  });

  test('retention: rows older than retentionMs are deleted as new ones arrive', async () => {
    const time = clock();
    const plugin = history({
      resolutionMs: 3_600_000,
      flushEveryMs: 0,
      retentionMs: 25_000,
      now: time.now,
    });
    const path = tempDatabasePath('walkeeper-history-');
    await open(plugin, path);
    for (let i = 0; i < 6; i++) {
      time.advance(10_000);
      plugin.sample();
    }
    // Samples at +10 s ... +60 s; the last insert at +60 s keeps those of the last 25 s.
    const kept = query<{ recorded_at: number }>(
      path,
      'SELECT recorded_at FROM _walkeeper_wal_metrics ORDER BY 1',
    ).map((row) => row.recorded_at);
    expect(kept).toEqual([T0 + 40_000, T0 + 50_000, T0 + 60_000]);
  });

  test('works beside monitoringSchema(): the schema migrates once', async () => {
    const time = clock();
    const plugin = history({ resolutionMs: 3_600_000, flushEveryMs: 0, now: time.now });
    const path = tempDatabasePath('walkeeper-history-');
    const wk = await openWalkeeper({
      path,
      driver: betterSqlite3(),
      plugins: [monitoringSchema(), plugin],
    });
    track(wk);
    time.advance(10_000);
    plugin.sample();
    expect(count(path, '_walkeeper_wal_metrics')).toBe(1);
    expect(count(path, '_walkeeper_monitoring_migrations')).toBe(5);
  });

  test('what persisting costs (measured, reported, not asserted)', async () => {
    const time = clock();
    const plugin = history({ resolutionMs: 3_600_000, flushEveryMs: 60_000, now: time.now });
    const wk = await open(plugin);
    const insert = (i: number) =>
      wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', [`note ${i}`]));
    // An hour of 10 s samples, with writes and a checkpoint in each, flushed once a minute.
    let writeMs = 0;
    let writes = 0;
    for (let s = 0; s < 360; s++) {
      const started = performance.now();
      for (let i = 0; i < 20; i++) insert(writes++);
      writeMs += performance.now() - started;
      await wk.checkpoint('PASSIVE');
      time.advance(10_000);
      plugin.sample();
    }
    const p = plugin.persistence;
    expect(p.flushes).toBe(60);
    console.log(
      `history() persistence: ${p.flushes} flushes of ${(p.rows / p.flushes).toFixed(0)} rows, ` +
        `${(p.totalMs / p.flushes).toFixed(3)} ms mean, ${p.maxMs.toFixed(3)} ms max per flush ` +
        `(one a minute: ${((p.totalMs / p.flushes / 60_000) * 100).toFixed(5)}% of the writer's time); ` +
        `the app's single-row write transactions took ${((writeMs / writes) * 1000).toFixed(1)} µs each`,
    );
  });
});
