import {
  type MigrationDefinition,
  type MigrationEvent,
  type MigrationsPlugin,
  migrations,
} from '@walkeeper/migrations';

/** The migrations table of the monitoring schema, apart from the application's own. */
export const MONITORING_TABLE = '_walkeeper_monitoring_migrations';

const DAY_MS = 86_400_000;

/** The sample tables, each with how long it keeps rows by default (`_walkeeper_metrics_retention`). */
const RETAINED = [
  ['_walkeeper_query_performance', 7 * DAY_MS],
  ['_walkeeper_wal_metrics', 7 * DAY_MS],
  ['_walkeeper_checkpoints', 7 * DAY_MS],
  ['_walkeeper_connection_metrics', 7 * DAY_MS],
  ['_walkeeper_system_health', 30 * DAY_MS],
] as const;

/** The tables the history writes its samples to. */
export const SAMPLE_TABLES: readonly (typeof RETAINED)[number][0][] = Object.freeze(
  RETAINED.map(([table]) => table),
);

const index = (table: string) => `CREATE INDEX ${table}_recorded_at ON ${table} (recorded_at);`;

const retentionTrigger = (
  table: string,
) => `CREATE TRIGGER ${table}_retention AFTER INSERT ON ${table}
BEGIN
  DELETE FROM ${table}
  WHERE recorded_at < NEW.recorded_at
    - (SELECT keep_ms FROM _walkeeper_metrics_retention WHERE table_name = '${table}');
END;`;

/**
 * walkeeper's monitoring schema, for the metrics history: query performance, WAL metrics and
 * checkpoints, connection metrics, system health, and retention. Every table has a
 * `recorded_at` (Unix milliseconds) index; a row in `_walkeeper_metrics_retention` sets how
 * long a table keeps rows (an insert deletes the ones older than that; no row: kept forever).
 * Run it with `monitoringSchema()`, or `migrations({ migrations: monitoringMigrations,
 * table: MONITORING_TABLE })`.
 */
export const monitoringMigrations: readonly MigrationDefinition[] = Object.freeze([
  {
    version: 1,
    name: 'query_performance',
    up: `CREATE TABLE _walkeeper_query_performance (
  recorded_at INTEGER NOT NULL,
  interval_ms INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('read', 'write')),
  count INTEGER NOT NULL,
  errors INTEGER NOT NULL DEFAULT 0,
  slow INTEGER NOT NULL DEFAULT 0,
  p50_ms REAL,
  p95_ms REAL,
  p99_ms REAL,
  max_ms REAL
);
${index('_walkeeper_query_performance')}
`,
    down: 'DROP TABLE _walkeeper_query_performance;',
  },
  {
    version: 2,
    name: 'wal_metrics',
    up: `CREATE TABLE _walkeeper_wal_metrics (
  recorded_at INTEGER NOT NULL,
  wal_bytes INTEGER NOT NULL,
  wal_frames INTEGER NOT NULL,
  backfilled_frames INTEGER NOT NULL,
  database_bytes INTEGER NOT NULL,
  busy_streak INTEGER NOT NULL DEFAULT 0
);
${index('_walkeeper_wal_metrics')}
CREATE TABLE _walkeeper_checkpoints (
  recorded_at INTEGER NOT NULL,
  mode TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('complete', 'busy', 'error')),
  duration_ms REAL NOT NULL,
  log_frames INTEGER,
  checkpointed_frames INTEGER,
  wal_bytes_before INTEGER,
  wal_bytes_after INTEGER
);
${index('_walkeeper_checkpoints')}
`,
    down: 'DROP TABLE _walkeeper_checkpoints;\nDROP TABLE _walkeeper_wal_metrics;',
  },
  {
    version: 3,
    name: 'connection_metrics',
    up: `CREATE TABLE _walkeeper_connection_metrics (
  recorded_at INTEGER NOT NULL,
  pool_size INTEGER NOT NULL,
  used INTEGER NOT NULL,
  pending INTEGER NOT NULL,
  max_pending INTEGER NOT NULL DEFAULT 0,
  wait_p95_ms REAL,
  timeouts INTEGER NOT NULL DEFAULT 0,
  crashes INTEGER NOT NULL DEFAULT 0
);
${index('_walkeeper_connection_metrics')}
`,
    down: 'DROP TABLE _walkeeper_connection_metrics;',
  },
  {
    version: 4,
    name: 'system_health',
    up: `CREATE TABLE _walkeeper_system_health (
  recorded_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'degraded', 'critical')),
  reasons TEXT NOT NULL DEFAULT '[]',
  sqlite_version TEXT
);
${index('_walkeeper_system_health')}
`,
    down: 'DROP TABLE _walkeeper_system_health;',
  },
  {
    version: 5,
    name: 'retention',
    up: `CREATE TABLE _walkeeper_metrics_retention (
  table_name TEXT PRIMARY KEY,
  keep_ms INTEGER NOT NULL CHECK (keep_ms > 0)
);
INSERT INTO _walkeeper_metrics_retention (table_name, keep_ms) VALUES
${RETAINED.map(([table, keepMs]) => `  ('${table}', ${keepMs})`).join(',\n')};
${RETAINED.map(([table]) => retentionTrigger(table)).join('\n')}
`,
    down: `${RETAINED.map(([table]) => `DROP TRIGGER ${table}_retention;`).join('\n')}
DROP TABLE _walkeeper_metrics_retention;`,
  },
]);

export interface MonitoringSchemaOptions {
  onProgress?: (event: MigrationEvent) => void;
}

/** The plugin that keeps the monitoring schema migrated, in its own migrations table. */
export function monitoringSchema(options: MonitoringSchemaOptions = {}): MigrationsPlugin {
  return migrations({
    migrations: monitoringMigrations,
    table: MONITORING_TABLE,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
}
