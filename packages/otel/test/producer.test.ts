import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  type DataPoint,
  type ExponentialHistogram,
  type Histogram,
  MeterProvider,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import { describe, expect, test } from 'vitest';
import { type OtelMetricProducerOptions, otelMetricProducer, otelMetrics } from '../src/index.js';
import { cleanups, memoryPipeline } from './sdk-pipeline.js';

/** A real SDK pipeline: a reader with this producer, exporting to memory on demand. */
function pipeline(options: OtelMetricProducerOptions & { instruments?: boolean } = {}) {
  const { instruments, ...producerOptions } = options;
  const producer = otelMetricProducer(producerOptions);
  const temporality =
    producerOptions.temporality === AggregationTemporality.DELTA
      ? AggregationTemporality.DELTA
      : AggregationTemporality.CUMULATIVE;
  const { exporter, reader, meterProvider } = memoryPipeline(producer, temporality);
  const plugin = otelMetrics({
    producers: [producer],
    ...(instruments ? { instruments: { meterProvider } } : {}),
  });
  const collect = async (): Promise<Map<string, MetricData[]>> => {
    exporter.reset();
    await reader.forceFlush();
    const byName = new Map<string, MetricData[]>();
    for (const resource of exporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        for (const metric of scope.metrics) {
          byName.set(metric.descriptor.name, [
            ...(byName.get(metric.descriptor.name) ?? []),
            metric,
          ]);
        }
      }
    }
    return byName;
  };
  return { plugin, collect };
}

async function open(plugin: ReturnType<typeof otelMetrics>): Promise<Walkeeper> {
  const wk = await openWalkeeper({
    path: tempDatabasePath('walkeeper-otel-'),
    driver: betterSqlite3(),
    plugins: [plugin],
  });
  cleanups.push(() => wk.close());
  wk.write((tx) => tx.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
  return wk;
}

function only(metrics: Map<string, MetricData[]>, name: string): MetricData {
  const found = metrics.get(name) ?? [];
  expect(found).toHaveLength(1);
  return found[0]!;
}

function pointWith<T>(metric: MetricData, attributes: Record<string, unknown>): DataPoint<T> {
  const found = (metric.dataPoints as DataPoint<T>[]).filter((p) =>
    Object.entries(attributes).every(([key, value]) => p.attributes[key] === value),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

const SELECT = { 'db.operation.name': 'SELECT' };
const SELECT_OK = (p: DataPoint<unknown>) =>
  p.attributes['db.operation.name'] === 'SELECT' && p.attributes['error.type'] === undefined;
const toMs = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6;

/** Runs `n` prepared point reads and `failures` that SQLite fails while running them. */
function workload(wk: Walkeeper, n: number, failures = 0): void {
  const read = wk.prepareRead('SELECT id FROM t WHERE id = ?');
  for (let i = 0; i < n; i++) read.get([i]);
  const overflow = wk.prepareRead('SELECT abs(-9223372036854775808) AS x');
  for (let i = 0; i < failures; i++) expect(() => overflow.get()).toThrow(/integer overflow/);
}

describe('temporality over three collections', () => {
  test('cumulative: counts and sums grow, the start time stays the open', async () => {
    const { plugin, collect } = pipeline();
    const wk = await open(plugin);
    const counts: number[] = [];
    const sums: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    for (const n of [5, 0, 7]) {
      workload(wk, n);
      const duration = only(await collect(), 'db.client.operation.duration');
      expect(duration.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
      const point = (duration.dataPoints as DataPoint<Histogram>[]).find(SELECT_OK)!;
      counts.push(point.value.count);
      sums.push(point.value.sum!);
      starts.push(toMs(point.startTime as [number, number]));
      ends.push(toMs(point.endTime as [number, number]));
    }
    expect(counts).toEqual([5, 5, 12]);
    expect(sums[1]).toBe(sums[0]);
    expect(sums[2]).toBeGreaterThan(sums[1]!);
    expect(new Set(starts).size).toBe(1);
    expect(starts[0]).toBeLessThanOrEqual(ends[0]!);
    expect(ends[1]).toBeGreaterThan(ends[0]!);
    expect(ends[2]).toBeGreaterThan(ends[1]!);
  });

  test('delta: each collection holds what happened since the last, from its time', async () => {
    const { plugin, collect } = pipeline({ temporality: AggregationTemporality.DELTA });
    const wk = await open(plugin);
    const seen: { count: number | undefined; sum: number; start: number; end: number }[] = [];
    for (const n of [5, 0, 7]) {
      workload(wk, n, 1);
      const duration = only(await collect(), 'db.client.operation.duration');
      expect(duration.aggregationTemporality).toBe(AggregationTemporality.DELTA);
      const point = (duration.dataPoints as DataPoint<Histogram>[]).find(SELECT_OK);
      const failed = pointWith<Histogram>(duration, { ...SELECT, 'error.type': 'SQLITE_ERROR' });
      expect(failed.value.count).toBe(1);
      expect(failed.attributes['db.response.status_code']).toBe('SQLITE_ERROR');
      seen.push({
        count: point?.value.count,
        sum: point?.value.sum ?? 0,
        start: toMs(failed.startTime as [number, number]),
        end: toMs(failed.endTime as [number, number]),
      });
    }
    // No new successful reads in the second interval: no point for that series.
    expect(seen.map((s) => s.count)).toEqual([5, undefined, 7]);
    // Each interval starts where the last ended.
    expect(seen[1]!.start).toBe(seen[0]!.end);
    expect(seen[2]!.start).toBe(seen[1]!.end);
    // The deltas add up to the cumulative total.
    const total = wk.stats().reads.latencyMs;
    expect(total.count).toBe(5 + 0 + 7 + 3);
    const failedSum = total.sumMs / 1000 - seen.reduce((sum, s) => sum + s.sum, 0);
    expect(failedSum).toBeGreaterThan(0);
  });

  test('delta and cumulative readers of one database agree over three collections', async () => {
    const delta = otelMetricProducer({ temporality: AggregationTemporality.DELTA });
    const cumulative = otelMetricProducer();
    const wk = await open(otelMetrics({ producers: [delta, cumulative] }));
    const selects = async (producer: typeof delta) => {
      const { resourceMetrics } = await producer.collect();
      const metric = resourceMetrics.scopeMetrics[0]!.metrics.find(
        (m) => m.descriptor.name === 'db.client.operation.duration',
      )!;
      return (metric.dataPoints as DataPoint<Histogram>[]).find(SELECT_OK)?.value;
    };
    let count = 0;
    let sum = 0;
    for (const n of [3, 8, 2]) {
      workload(wk, n);
      const step = (await selects(delta))!;
      expect(step.count).toBe(n);
      expect(step.buckets.counts.reduce((a, b) => a + b, 0)).toBe(n);
      count += step.count;
      sum += step.sum!;
      const whole = (await selects(cumulative))!;
      expect(whole.count).toBe(count);
      expect(whole.sum).toBeCloseTo(sum, 12);
    }
  });

  test('delta counters are differences; gauges are values', async () => {
    const { plugin, collect } = pipeline({ temporality: AggregationTemporality.DELTA });
    const wk = await open(plugin);
    const checkpoints: number[] = [];
    const walSizes: number[] = [];
    for (const round of [1, 2, 3]) {
      for (let i = 0; i < round; i++) await wk.checkpoint('PASSIVE');
      wk.sampleWal();
      const metrics = await collect();
      checkpoints.push(
        pointWith<number>(only(metrics, 'sqlite.checkpoint.count'), {
          'sqlite.checkpoint.mode': 'passive',
          'sqlite.checkpoint.outcome': 'complete',
        }).value,
      );
      walSizes.push((only(metrics, 'sqlite.wal.size').dataPoints[0] as DataPoint<number>).value);
      const durations = only(metrics, 'sqlite.checkpoint.duration');
      expect(
        pointWith<Histogram>(durations, { 'sqlite.checkpoint.mode': 'passive' }).value.count,
      ).toBe(round);
    }
    expect(checkpoints).toEqual([1, 2, 3]);
    expect(walSizes).toEqual([
      wk.stats().wal.walBytes,
      wk.stats().wal.walBytes,
      wk.stats().wal.walBytes,
    ]);
  });

  test('two readers each get their own deltas', async () => {
    const first = otelMetricProducer({ temporality: AggregationTemporality.DELTA });
    const second = otelMetricProducer({ temporality: AggregationTemporality.DELTA });
    const wk = await open(otelMetrics({ producers: [first, second] }));
    const selects = async (producer: typeof first) => {
      const { resourceMetrics } = await producer.collect();
      const metric = resourceMetrics.scopeMetrics[0]!.metrics.find(
        (m) => m.descriptor.name === 'db.client.operation.duration',
      )!;
      return (metric.dataPoints as DataPoint<Histogram>[]).find(SELECT_OK)?.value.count;
    };
    workload(wk, 4);
    expect(await selects(first)).toBe(4);
    workload(wk, 3);
    expect(await selects(first)).toBe(3);
    expect(await selects(second)).toBe(7);
  });
});

describe('histogram shapes', () => {
  test('exponential: scale 3, core buckets one to one, exact count, sum, min and max', async () => {
    const { plugin, collect } = pipeline({ histogram: 'exponential' });
    const wk = await open(plugin);
    workload(wk, 50);
    const duration = only(await collect(), 'db.client.operation.duration');
    const point = (duration.dataPoints as DataPoint<ExponentialHistogram>[]).find(SELECT_OK)!;
    const stats = wk.stats().reads.latencyMs;
    expect(point.value.scale).toBe(3);
    expect(point.value.count).toBe(50);
    expect(point.value.sum).toBeCloseTo(stats.sumMs / 1000, 12);
    expect(point.value.min).toBe(stats.minMs / 1000);
    expect(point.value.max).toBe(stats.maxMs / 1000);
    expect(point.value.positive.bucketCounts.reduce((a, b) => a + b, 0)).toBe(50);
    // Every value lies in its bucket: (2^(i/8), 2^((i+1)/8)] seconds.
    const lowest = point.value.positive.offset;
    const highest = lowest + point.value.positive.bucketCounts.length - 1;
    expect(2 ** (lowest / 8)).toBeLessThan(point.value.min!);
    expect(2 ** ((lowest + 1) / 8)).toBeGreaterThanOrEqual(point.value.min!);
    expect(2 ** (highest / 8)).toBeLessThan(point.value.max!);
    expect(2 ** ((highest + 1) / 8)).toBeGreaterThanOrEqual(point.value.max!);
  });

  test('explicit: the advised boundaries, counts adding up', async () => {
    const { plugin, collect } = pipeline();
    const wk = await open(plugin);
    workload(wk, 30);
    const duration = only(await collect(), 'db.client.operation.duration');
    const point = (duration.dataPoints as DataPoint<Histogram>[]).find(SELECT_OK)!;
    expect(point.value.buckets.boundaries).toEqual([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]);
    expect(point.value.buckets.counts.reduce((a, b) => a + b, 0)).toBe(30);
  });
});

describe('paths', () => {
  test('per-call instruments: the SDK records the duration, the producer the rest', async () => {
    const { plugin, collect } = pipeline({ instruments: true });
    const wk = await open(plugin);
    workload(wk, 9, 2);
    await wk.read('SELECT 1 AS one');
    const metrics = await collect();
    // Exactly one db.client.operation.duration: the SDK's, not the producer's as well.
    const duration = only(metrics, 'db.client.operation.duration');
    expect((duration.dataPoints as DataPoint<Histogram>[]).find(SELECT_OK)!.value.count).toBe(10);
    expect(pointWith<Histogram>(duration, { 'error.type': 'SQLITE_ERROR' }).value.count).toBe(2);
    expect(metrics.has('db.client.connection.wait_time')).toBe(true);
    expect(metrics.has('sqlite.wal.size')).toBe(true);
  });

  test('a Prometheus exporter scrapes the producer in the text format', async () => {
    const producer = otelMetricProducer();
    const exporter = new PrometheusExporter({
      preventServerStart: true,
      metricProducers: [producer],
    });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    cleanups.push(() => meterProvider.shutdown());
    const wk = await open(otelMetrics({ producers: [producer], poolName: 'app' }));
    workload(wk, 12);
    await wk.read('SELECT count(*) AS n FROM t');
    const { resourceMetrics, errors } = await exporter.collect();
    expect(errors).toEqual([]);
    const text = new PrometheusSerializer().serialize(resourceMetrics);
    expect(text).toContain('# TYPE db_client_operation_duration histogram');
    expect(text).toContain('# UNIT db_client_operation_duration s');
    expect(text).toMatch(
      /db_client_operation_duration_count\{[^}]*db_operation_name="SELECT"[^}]*\} 13\n/,
    );
    expect(text).toMatch(
      /db_client_operation_duration_bucket\{[^}]*db_operation_name="SELECT"[^}]*le="\+Inf"\} 13\n/,
    );
    expect(text).toMatch(
      /db_client_connection_wait_time_count\{db_client_connection_pool_name="app"[^}]*\} 1\n/,
    );
    expect(text).toMatch(/# TYPE sqlite_checkpoint_count(_total)? counter/);
  });

  test('producer options: mistakes are E_CONFIG errors', () => {
    expect(() => otelMetricProducer({ histogram: 'linear' as never })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => otelMetricProducer({ temporality: 7 as never })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => otelMetrics({ producers: [{ collect: async () => ({}) }] as never })).toThrow(
      /otelMetrics\.producers\[0\]/,
    );
    expect(() => otelMetrics({})).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
  });
});
