import { openWalkeeper } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import { migrate, migrations } from '@walkeeper/migrations';
import { describe, expect, test } from 'vitest';
import { MONITORING_TABLE, monitoringMigrations, monitoringSchema } from '../src/index.js';
import { query } from './support.js';

const TABLES = [
  '_walkeeper_checkpoints',
  '_walkeeper_connection_metrics',
  '_walkeeper_metrics_retention',
  '_walkeeper_query_performance',
  '_walkeeper_system_health',
  '_walkeeper_wal_metrics',
];

const tables = (path: string) =>
  query<{ name: string }>(
    path,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_walkeeper\\_%' ESCAPE '\\' ORDER BY name",
  ).map((r) => r.name);

const driver = betterSqlite3();

/** A database file that does not exist yet, for `migrate()` on `{ path, driver }`. */
function workspace() {
  const path = tempDatabasePath('walkeeper-monitoring-');
  return { path, target: { path, driver } };
}

describe('the monitoring schema', () => {
  test('migrates beside the application, in its own migrations table', async () => {
    const w = workspace();
    const notes = { version: 1, name: 'notes', up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY);' };
    const plugin = monitoringSchema();
    const wk = await openWalkeeper({
      path: w.path,
      driver,
      plugins: [migrations({ migrations: [notes] }), plugin],
    });
    await wk.close();
    expect(plugin.result?.migrations.map((m) => [m.version, m.name, m.status])).toEqual([
      [1, 'query_performance', 'applied'],
      [2, 'wal_metrics', 'applied'],
      [3, 'connection_metrics', 'applied'],
      [4, 'system_health', 'applied'],
      [5, 'retention', 'applied'],
    ]);
    expect(tables(w.path)).toEqual([...TABLES, '_walkeeper_migrations', MONITORING_TABLE].sort());
    expect(query(w.path, `SELECT count(*) AS n FROM ${MONITORING_TABLE}`)).toEqual([{ n: 5 }]);
  });

  test('an insert deletes the rows older than the table keeps; no retention row keeps all', async () => {
    const w = workspace();
    await migrate(w.target, { migrations: monitoringMigrations, table: MONITORING_TABLE });
    const wk = await openWalkeeper({ path: w.path, driver });
    try {
      const day = 86_400_000;
      const now = Date.UTC(2026, 0, 31);
      const insert = (at: number) =>
        wk.write((tx) =>
          tx.run(
            'INSERT INTO _walkeeper_wal_metrics (recorded_at, wal_bytes, wal_frames, backfilled_frames, database_bytes) VALUES (?, 0, 0, 0, 0)',
            [at],
          ),
        );
      insert(now - 10 * day);
      insert(now - 8 * day);
      insert(now - 6 * day);
      insert(now);
      const kept = () =>
        wk.write((tx) =>
          tx.all<{ recorded_at: number }>(
            'SELECT recorded_at FROM _walkeeper_wal_metrics ORDER BY 1',
          ),
        );
      // Seven days by default: the 10- and 8-day-old rows went with the newest insert.
      expect(kept().map((r) => (now - r.recorded_at) / day)).toEqual([6, 0]);
      wk.write((tx) =>
        tx.run(
          "DELETE FROM _walkeeper_metrics_retention WHERE table_name = '_walkeeper_wal_metrics'",
        ),
      );
      insert(now + 30 * day);
      expect(kept()).toHaveLength(3);
      const health = wk.write((tx) =>
        tx.get<{ keep_ms: number }>(
          "SELECT keep_ms FROM _walkeeper_metrics_retention WHERE table_name = '_walkeeper_system_health'",
        ),
      );
      expect(health?.keep_ms).toBe(30 * day);
    } finally {
      await wk.close();
    }
  });

  test('every step has a down: it goes all the way back to nothing', async () => {
    const w = workspace();
    const options = { migrations: monitoringMigrations, table: MONITORING_TABLE };
    await migrate(w.target, options);
    const down = await migrate(w.target, { ...options, to: 0 });
    expect(down.migrations.map((m) => [m.version, m.status])).toEqual([
      [5, 'applied'],
      [4, 'applied'],
      [3, 'applied'],
      [2, 'applied'],
      [1, 'applied'],
    ]);
    expect(tables(w.path)).toEqual([MONITORING_TABLE]);
    expect(
      query(w.path, "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')"),
    ).toEqual([]);
  });
});
