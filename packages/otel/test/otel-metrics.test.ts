import { readFileSync } from 'node:fs';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { openWalkeeper, type QueryEvent } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { otelMetricProducer, otelMetrics } from '../src/index.js';
import { cleanups, memoryPipeline } from './sdk-pipeline.js';

const { version: VERSION } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };
const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

function sdk(temporality = AggregationTemporality.CUMULATIVE) {
  const producer = otelMetricProducer({ temporality });
  const { exporter, reader, meterProvider } = memoryPipeline(producer, temporality);
  /** One collection, exported; returns its metrics by name. */
  const collect = async (): Promise<Map<string, MetricData>> => {
    exporter.reset();
    await reader.forceFlush();
    const byName = new Map<string, MetricData>();
    for (const resource of exporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        expect(scope.scope).toMatchObject({ name: '@walkeeper/otel', version: VERSION });
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      }
    }
    return byName;
  };
  return { producer, meterProvider, collect };
}

async function open(
  plugin: ReturnType<typeof otelMetrics>,
  path = tempDatabasePath('walkeeper-otel-'),
  spy?: QueryEvent[],
) {
  const pluginErrors: { error: unknown; plugin: string; hook: string }[] = [];
  const wk = await openWalkeeper({
    path,
    driver: betterSqlite3(),
    readers: { size: 2, mode: 'worker' },
    plugins: spy
      ? [plugin, { name: 'spy', hooks: { onQuery: (event) => void spy.push(event) } }]
      : [plugin],
    onPluginError: (error, name, hook) => void pluginErrors.push({ error, plugin: name, hook }),
  });
  cleanups.push(() => wk.close());
  return { wk, pluginErrors };
}

function points<T>(metric: MetricData | undefined): DataPoint<T>[] {
  expect(metric).toBeDefined();
  return metric!.dataPoints as DataPoint<T>[];
}

/** The one data point whose attributes are exactly `attributes`. */
function point<T>(
  metric: MetricData | undefined,
  attributes: Record<string, unknown>,
): DataPoint<T> {
  const found = points<T>(metric).filter(
    (p) => JSON.stringify(sorted(p.attributes)) === JSON.stringify(sorted(attributes)),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one point with ${JSON.stringify(attributes)} in ${metric?.descriptor.name}, got ${JSON.stringify(points(metric).map((p) => p.attributes))}`,
    );
  }
  return found[0]!;
}

function sorted(attributes: Record<string, unknown>): [string, unknown][] {
  return Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
}

const SLOW_SQL =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) AS n FROM c';

describe('otelMetrics with the OpenTelemetry SDK', () => {
  test('after a known workload the metrics have the conventions’ names, units, attributes and values', async () => {
    const { producer, collect } = sdk();
    const path = tempDatabasePath('walkeeper-otel-');
    const events: QueryEvent[] = [];
    const { wk, pluginErrors } = await open(
      otelMetrics({ producers: [producer], poolName: 'main' }),
      path,
      events,
    );
    const db = { 'db.system.name': 'sqlite', 'db.namespace': path };

    // Writes: three transactions commit, one fails on the primary key.
    wk.write((tx) => tx.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'));
    wk.write((tx) => tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'one']));
    wk.write((tx) => tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [2, 'two']));
    expect(() =>
      wk.write((tx) => tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'again'])),
    ).toThrow();

    // Reads: pooled, light, a CTE, a failing one and one that times out.
    for (let i = 0; i < 3; i++) await wk.read('SELECT body FROM notes WHERE id = ?', [1]);
    const byId = wk.prepareRead('SELECT body FROM notes WHERE id = ?');
    for (let i = 0; i < 20; i++) byId.get([2]);
    await wk.read('  -- a comment\n WITH x AS (SELECT 1 AS one) SELECT one FROM x');
    await wk.read('PRAGMA user_version');
    await expect(wk.read('SELECT * FROM missing_table')).rejects.toMatchObject({
      code: expect.stringMatching(/^(SQLITE_ERROR|E_SQLITE)$/),
    });
    await expect(wk.read(SLOW_SQL, [], { timeoutMs: 5 })).rejects.toMatchObject({
      code: 'E_TIMEOUT',
    });
    // The timed-out statement still runs to its end on its worker; let it finish.
    while (wk.stats().pool.connections.used > 0) await new Promise((r) => setTimeout(r, 10));

    // Checkpoints: PASSIVE and TRUNCATE complete; a TRUNCATE made busy by a reader elsewhere.
    expect((await wk.checkpoint('PASSIVE')).busy).toBe(false);
    expect((await wk.checkpoint('TRUNCATE')).busy).toBe(false);
    wk.write((tx) => tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [3, 'three']));
    const other = new Database(path, { readonly: true });
    other.exec('BEGIN');
    other.prepare('SELECT count(*) FROM notes').get();
    try {
      expect((await wk.checkpoint('TRUNCATE', { maxStallMs: 10 })).busy).toBe(true);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    wk.sampleWal();

    const metrics = await collect();
    const stats = wk.stats();
    expect(pluginErrors).toEqual([]);

    // db.client.operation.duration
    const duration = metrics.get('db.client.operation.duration');
    expect(duration?.descriptor).toMatchObject({ unit: 's', type: 'HISTOGRAM' });
    const select = point<Histogram>(duration, { ...db, 'db.operation.name': 'SELECT' });
    expect(select.value.count).toBe(3 + 20 + 1);
    expect(select.value.buckets.boundaries).toEqual(BUCKETS);
    expect(point<Histogram>(duration, { ...db, 'db.operation.name': 'PRAGMA' }).value.count).toBe(
      1,
    );
    expect(
      point<Histogram>(duration, { ...db, 'db.operation.name': 'TRANSACTION' }).value.count,
    ).toBe(4);
    const constraint = point<Histogram>(duration, {
      ...db,
      'db.operation.name': 'TRANSACTION',
      'error.type': 'SQLITE_CONSTRAINT_PRIMARYKEY',
      'db.response.status_code': 'SQLITE_CONSTRAINT_PRIMARYKEY',
    });
    expect(constraint.value.count).toBe(1);
    const failedReads = points<Histogram>(duration).filter(
      (p) =>
        p.attributes['error.type'] !== undefined && p.attributes['db.operation.name'] === 'SELECT',
    );
    expect(failedReads.map((p) => p.attributes['error.type']).sort()).toEqual([
      'E_TIMEOUT',
      expect.stringMatching(/^SQLITE_ERROR$/),
    ]);
    const total = points<Histogram>(duration).reduce((sum, p) => sum + p.value.count, 0);
    expect(total).toBe(3 + 20 + 1 + 1 + 2 + 4 + 1);
    // Every operation the onQuery hook saw is counted, exactly once.
    expect(total).toBe(events.length);
    // Sums, minima and maxima are exact: walkeeper times each operation once, and the same
    // measurement reaches onQuery for writes and prepared reads.
    const writes = events.filter((e) => e.kind === 'write' && e.error === undefined);
    const transactions = point<Histogram>(duration, { ...db, 'db.operation.name': 'TRANSACTION' });
    expect(transactions.value.sum).toBeCloseTo(
      writes.reduce((sum, e) => sum + e.durationMs, 0) / 1000,
      12,
    );
    expect(transactions.value.min).toBe(Math.min(...writes.map((e) => e.durationMs)) / 1000);
    expect(transactions.value.max).toBe(Math.max(...writes.map((e) => e.durationMs)) / 1000);
    expect(transactions.value.sum).toBeCloseTo(stats.writes.latencyMs.sumMs / 1000, 12);
    const reads = points<Histogram>(duration).filter(
      (p) => p.attributes['db.operation.name'] !== 'TRANSACTION',
    );
    expect(reads.reduce((sum, p) => sum + (p.value.sum ?? 0), 0)).toBeCloseTo(
      stats.reads.latencyMs.sumMs / 1000,
      12,
    );
    expect(reads.reduce((sum, p) => sum + p.value.count, 0)).toBe(stats.reads.latencyMs.count);
    for (const p of points<Histogram>(duration)) {
      expect(p.value.buckets.counts.reduce((a, b) => a + b, 0)).toBe(p.value.count);
      expect(p.startTime).toEqual(points<Histogram>(duration)[0]!.startTime);
    }

    // Connection pool
    const pool = { 'db.client.connection.pool.name': 'main' };
    const count = metrics.get('db.client.connection.count');
    expect(count?.descriptor).toMatchObject({
      unit: '{connection}',
      type: 'OBSERVABLE_UP_DOWN_COUNTER',
    });
    expect(point<number>(count, { ...pool, 'db.client.connection.state': 'idle' }).value).toBe(
      stats.pool.connections.idle,
    );
    expect(point<number>(count, { ...pool, 'db.client.connection.state': 'used' }).value).toBe(
      stats.pool.connections.used,
    );
    expect(metrics.get('db.client.connection.max')?.descriptor.unit).toBe('{connection}');
    expect(point<number>(metrics.get('db.client.connection.max'), pool).value).toBe(2);
    expect(metrics.get('db.client.connection.pending_requests')?.descriptor).toMatchObject({
      unit: '{request}',
      type: 'OBSERVABLE_UP_DOWN_COUNTER',
    });
    expect(point<number>(metrics.get('db.client.connection.pending_requests'), pool).value).toBe(0);
    const timeouts = metrics.get('db.client.connection.timeouts');
    expect(timeouts?.descriptor).toMatchObject({ unit: '{timeout}', type: 'OBSERVABLE_COUNTER' });
    expect(point<number>(timeouts, pool).value).toBe(1);
    for (const name of ['db.client.connection.wait_time', 'db.client.connection.use_time']) {
      const metric = metrics.get(name);
      expect(metric?.descriptor).toMatchObject({ unit: 's', type: 'HISTOGRAM' });
      const times = point<Histogram>(metric, pool).value;
      const snapshot = name.endsWith('wait_time') ? stats.pool.waitTimeMs : stats.pool.useTimeMs;
      // One per pooled read that ran, each at its own value (no interval means).
      expect(times.count).toBe(snapshot.count);
      expect(times.count).toBe(3 + 1 + 1 + 1 + 1);
      expect(times.sum).toBeCloseTo(snapshot.sumMs / 1000, 12);
      expect(times.min).toBe(snapshot.minMs / 1000);
      expect(times.max).toBe(snapshot.maxMs / 1000);
    }

    // walkeeper's own
    const gauge = (name: string, unit: string) => {
      const metric = metrics.get(name);
      expect(metric?.descriptor).toMatchObject({ unit, type: 'OBSERVABLE_GAUGE' });
      return point<number>(metric, db).value;
    };
    expect(gauge('sqlite.wal.size', 'By')).toBe(stats.wal.walBytes);
    expect(gauge('sqlite.wal.frames', '{frame}')).toBe(stats.wal.frames);
    expect(stats.wal.frames).toBeGreaterThan(0);
    expect(gauge('sqlite.wal.backfilled_frames', '{frame}')).toBe(stats.wal.backfilledFrames);
    expect(gauge('sqlite.checkpoint.busy_streak', '{checkpoint}')).toBe(1);
    expect(gauge('sqlite.database.size', 'By')).toBe(stats.database.bytes);
    expect(stats.database.bytes).toBeGreaterThan(0);

    const checkpoints = metrics.get('sqlite.checkpoint.count');
    expect(checkpoints?.descriptor).toMatchObject({
      unit: '{checkpoint}',
      type: 'OBSERVABLE_COUNTER',
    });
    const by = (mode: string, outcome: string) => ({
      ...db,
      'sqlite.checkpoint.mode': mode,
      'sqlite.checkpoint.outcome': outcome,
    });
    expect(point<number>(checkpoints, by('passive', 'complete')).value).toBe(1);
    expect(point<number>(checkpoints, by('truncate', 'complete')).value).toBe(1);
    expect(point<number>(checkpoints, by('truncate', 'busy')).value).toBe(1);
    expect(point<number>(checkpoints, by('restart', 'error')).value).toBe(0);
    const checkpointDuration = metrics.get('sqlite.checkpoint.duration');
    expect(checkpointDuration?.descriptor).toMatchObject({ unit: 's', type: 'HISTOGRAM' });
    expect(point<Histogram>(checkpointDuration, by('truncate', 'busy')).value.count).toBe(1);
    expect(point<Histogram>(checkpointDuration, by('passive', 'complete')).value.count).toBe(1);
    expect(point<Histogram>(checkpointDuration, by('truncate', 'complete')).value.count).toBe(1);

    // No SQL text anywhere: attributes stay low-cardinality.
    const everyAttribute = [...metrics.values()].flatMap((m) =>
      m.dataPoints.flatMap((p) => Object.values(p.attributes)),
    );
    expect(everyAttribute.some((value) => String(value).includes('notes'))).toBe(false);
  });

  test('after close the database leaves the collections, which still work', async () => {
    const { producer, collect } = sdk();
    const { wk, pluginErrors } = await open(otelMetrics({ producers: [producer] }));
    wk.write((tx) => tx.exec('CREATE TABLE t (x)'));
    const before = await collect();
    expect(before.has('sqlite.wal.size')).toBe(true);
    const stats = wk.stats.bind(wk);
    let calls = 0;
    wk.stats = () => {
      calls++;
      return stats();
    };
    await wk.close();
    expect((await collect()).size).toBe(0);
    expect((await collect()).size).toBe(0);
    expect(calls).toBe(0);
    expect(pluginErrors).toEqual([]);
  });

  test('the default pool name is the database path', async () => {
    const { producer, collect } = sdk();
    const path = tempDatabasePath('walkeeper-otel-');
    await open(otelMetrics({ producers: [producer] }), path);
    const metrics = await collect();
    expect(
      point<number>(metrics.get('db.client.connection.max'), {
        'db.client.connection.pool.name': path,
      }).value,
    ).toBe(2);
  });
});
