import type { Histogram as ApiHistogram, Meter } from '@opentelemetry/api';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { otelMetricProducer, otelMetrics } from '../src/index.js';

/** `ExportResultCode` of @opentelemetry/core, which this package does not depend on. */
const EXPORT_SUCCESS = 0;
const EXPORT_FAILED = 1;

const opened: Walkeeper[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((wk) => wk.close()));
});

async function open(plugin: ReturnType<typeof otelMetrics>) {
  const errors: { hook: string; message: string }[] = [];
  const wk = await openWalkeeper({
    path: tempDatabasePath('walkeeper-otel-'),
    driver: betterSqlite3(),
    plugins: [plugin],
    onPluginError: (error, _plugin, hook) => void errors.push({ hook, message: String(error) }),
  });
  opened.push(wk);
  wk.write((tx) => tx.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
  return { wk, errors };
}

const reported = (site: string, message: string) =>
  `WalkeeperError: @walkeeper/otel: ${site} failed (Error: ${message}); later failures there are only counted (droppedMeasurements)`;

/** A real SDK meter whose chosen method throws. */
function brokenMeter(method: 'createHistogram' | 'record'): Meter {
  const meter = new MeterProvider().getMeter('broken');
  return new Proxy(meter, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key === method) {
        return () => {
          throw new Error(`${method} failed`);
        };
      }
      if (method === 'record' && key === 'createHistogram') {
        return (...args: Parameters<Meter['createHistogram']>): ApiHistogram => {
          const histogram = target.createHistogram(...args);
          return {
            record: () => {
              throw new Error('record failed');
            },
          } satisfies ApiHistogram & Record<string, unknown> as typeof histogram;
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('a failing meter or exporter never breaks a query', () => {
  test.each(['createHistogram'] as const)(
    'a meter whose %s throws: the database opens without per-call instruments',
    async (method) => {
      const plugin = otelMetrics({ instruments: { meter: brokenMeter(method) } });
      const { wk, errors } = await open(plugin);
      wk.write((tx) => tx.run('INSERT INTO t (id) VALUES (?)', [1]));
      expect(await wk.read('SELECT id FROM t')).toEqual([{ id: 1 }]);
      expect(errors).toEqual([
        { hook: 'setup', message: reported('create instruments', `${method} failed`) },
      ]);
      expect(plugin.droppedMeasurements).toBe(1);
    },
  );

  test('a histogram whose record() throws loses those measurements, reported once', async () => {
    const plugin = otelMetrics({ instruments: { meter: brokenMeter('record') } });
    const { wk, errors } = await open(plugin);
    const read = wk.prepareRead<{ id: number }>('SELECT id FROM t WHERE id = ?');
    for (let i = 1; i <= 50; i++) {
      wk.write((tx) => tx.run('INSERT INTO t (id) VALUES (?)', [i]));
      expect(read.get([i])).toEqual({ id: i });
    }
    expect(await wk.read('SELECT count(*) AS n FROM t')).toEqual([{ n: 50 }]);
    await wk.checkpoint('TRUNCATE');
    expect(errors).toEqual([
      { hook: 'setup', message: reported('record db.client.operation.duration', 'record failed') },
    ]);
    // 1 schema write + 50 writes + 50 light reads + 1 pooled read.
    expect(plugin.droppedMeasurements).toBe(1 + 50 + 50 + 1);
  });

  test('an exporter that throws or fails leaves queries alone', async () => {
    let exports = 0;
    const exporter: PushMetricExporter = {
      export(_metrics, resultCallback) {
        exports++;
        if (exports % 2 === 0) throw new Error('exporter threw');
        resultCallback({ code: EXPORT_FAILED, error: new Error('collector down') });
      },
      forceFlush: async () => {},
      shutdown: async () => {},
      selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
    };
    const producer = otelMetricProducer();
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 100,
      metricProducers: [producer],
    });
    const meterProvider = new MeterProvider({ readers: [reader] });
    try {
      const { wk, errors } = await open(otelMetrics({ producers: [producer] }));
      const started = Date.now();
      let i = 0;
      while (Date.now() - started < 350) {
        i++;
        wk.write((tx) => tx.run('INSERT INTO t (id) VALUES (?)', [i]));
        expect(await wk.read('SELECT id FROM t WHERE id = ?', [i])).toEqual([{ id: i }]);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(exports).toBeGreaterThanOrEqual(2);
      expect(errors).toEqual([]);
    } finally {
      await meterProvider.shutdown().catch(() => undefined);
    }
  });

  test('a stats() that throws fails that collection only, through the reader', async () => {
    const exporter: PushMetricExporter = {
      export: (_metrics, resultCallback) => resultCallback({ code: EXPORT_SUCCESS }),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const producer = otelMetricProducer();
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 3_600_000,
      metricProducers: [producer],
    });
    const meterProvider = new MeterProvider({ readers: [reader] });
    try {
      const plugin = otelMetrics({ producers: [producer] });
      const { wk, errors } = await open(plugin);
      const stats = wk.stats.bind(wk);
      wk.stats = () => {
        throw new Error('stats failed');
      };
      const failed = await reader.collect();
      expect(failed.errors.map(String)).toEqual(['Error: stats failed']);
      expect(failed.resourceMetrics.scopeMetrics).toEqual([]);
      wk.stats = stats;
      const recovered = await reader.collect();
      expect(recovered.errors).toEqual([]);
      expect(recovered.resourceMetrics.scopeMetrics[0]?.metrics.length).toBeGreaterThan(5);
      expect(errors).toEqual([]);
      expect(await wk.read('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
    } finally {
      await meterProvider.shutdown();
    }
  });
});

describe('options', () => {
  test('mistakes are E_CONFIG errors at the call', () => {
    expect(() => otelMetrics({ instruments: { meterProvider: {} as never } })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => otelMetrics({ instruments: { meter: 42 as never } })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => otelMetrics({ producers: [otelMetricProducer()], poolName: '' })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    // The options of the per-call path before producers: a loud error, not silence.
    expect(() => otelMetrics({ meterProvider: {} } as never)).toThrow(
      /Unknown option otelMetrics\.meterProvider/,
    );
  });
});
