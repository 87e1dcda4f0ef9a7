import { createRequire } from 'node:module';
import { type Meter, type MeterProvider, metrics } from '@opentelemetry/api';
import type {
  AggregationTemporality,
  AggregationTemporalitySelector,
  MetricProducer,
} from '@opentelemetry/sdk-metrics';
import {
  type PluginContext,
  type QueryEvent,
  WalkeeperError,
  type WalkeeperPlugin,
} from '@walkeeper/core';
import {
  checkEnum,
  checkKnownKeys,
  checkPlainObject,
  configError,
} from '@walkeeper/core/plugin-kit';
import type { HistogramShape } from './internal/histogram-points.js';
import { WalkeeperMetricProducer } from './internal/producer.js';
import { QueryRecorder } from './internal/query-recorder.js';
import { ReportOnce } from './internal/report-once.js';
import { createSource, type Source } from './internal/source.js';
import { DB_CLIENT_OPERATION_DURATION_BUCKETS } from './semconv.js';

export interface OtelMetricsOptions {
  /** `db.client.connection.pool.name`. Default: the database path, as given to `openWalkeeper()`. */
  poolName?: string;
  /**
   * Record `db.client.operation.duration` on every operation through an SDK Histogram
   * instead of exporting walkeeper's own aggregate: about 1 µs per operation, for exemplars.
   * `meter` is used as is; otherwise the meter comes from `meterProvider`, or the global
   * provider at open. The other metrics still come from `producer()`.
   */
  instruments?: { meterProvider?: MeterProvider; meter?: Meter };
}

export interface OtelProducerOptions {
  /**
   * The reader's temporality: one for every instrument, or the SDK's per-instrument
   * selector (a push exporter's `selectAggregationTemporality`). Default: cumulative.
   */
  temporality?: AggregationTemporality | AggregationTemporalitySelector;
  /**
   * `explicit` (default): the conventions' advised boundaries, which every backend reads
   * (Prometheus included). `exponential`: scale 3, walkeeper's own buckets one to one.
   */
  histogram?: HistogramShape;
}

/** The plugin `otelMetrics()` returns. */
export interface OtelMetricsPlugin extends WalkeeperPlugin {
  /**
   * A `MetricProducer` for one reader's `metricProducers`: it reads walkeeper's aggregates
   * when the reader collects. Give each reader its own (a delta one subtracts its own last
   * collection).
   */
  producer(options?: OtelProducerOptions): MetricProducer;
  /** Measurements lost to a throwing meter or instrument (each site is reported once). */
  readonly droppedMeasurements: number;
}

/** The instrumentation scope: the package name and version. */
export const OTEL_SCOPE_NAME = '@walkeeper/otel';
const OTEL_SCOPE_VERSION = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;

/** The plugin's name, for `dependencies` of other plugins. */
export const OTEL_PLUGIN = 'otel';

const KNOWN = ['poolName', 'instruments'];
const KNOWN_INSTRUMENTS = ['meterProvider', 'meter'];
const KNOWN_PRODUCER = ['temporality', 'histogram'];
const HISTOGRAM_SHAPES: readonly HistogramShape[] = ['explicit', 'exponential'];
const CUMULATIVE = 1 as AggregationTemporality.CUMULATIVE;

/**
 * OpenTelemetry metrics for one walkeeper database: the semantic conventions' database
 * client metrics (`db.client.operation.duration`, `db.client.connection.*`) with their
 * names, units and attributes, and walkeeper's own `sqlite.wal.*`, `sqlite.checkpoint.*` and
 * `sqlite.database.size`. They are read from walkeeper's own counters and histograms when a
 * reader collects, through `producer()`: an operation costs nothing more than walkeeper's
 * own timing. One plugin exports one open database.
 */
export function otelMetrics(options: OtelMetricsOptions = {}): OtelMetricsPlugin {
  const input = checkPlainObject('otelMetrics options', options);
  checkKnownKeys('otelMetrics', input, KNOWN);
  const { poolName, instruments } = options;
  if (poolName !== undefined && (typeof poolName !== 'string' || poolName.length === 0))
    throw configError('otelMetrics.poolName', poolName, 'a non-empty string');
  if (instruments !== undefined) checkInstruments(instruments);

  let failures: ReportOnce | undefined;
  let source: Source | undefined;
  let recorder: QueryRecorder | undefined;
  const sources = () => (source === undefined ? [] : [source]);
  return {
    name: OTEL_PLUGIN,
    specificationVersion: 'v1',
    setup({ walkeeper, report }: PluginContext) {
      if (source !== undefined) {
        throw new WalkeeperError(
          'E_CONFIG',
          `This otelMetrics() plugin already exports ${source.walkeeper.path}; make one per database.`,
          { details: { path: walkeeper.path, exporting: source.walkeeper.path } },
        );
      }
      failures = new ReportOnce(report);
      source = createSource(walkeeper, poolName);
      if (instruments === undefined) return;
      try {
        const meter =
          instruments.meter ??
          (instruments.meterProvider ?? metrics.getMeterProvider()).getMeter(
            OTEL_SCOPE_NAME,
            OTEL_SCOPE_VERSION,
          );
        recorder = new QueryRecorder(meter, source.common, failures);
      } catch (error) {
        // A meter that cannot create instruments leaves the database without them, not closed.
        failures.failed('create instruments', error);
      }
    },
    hooks: {
      ...(instruments === undefined
        ? {}
        : {
            onQuery(event: QueryEvent) {
              recorder?.record(event);
            },
          }),
      onClose() {
        source = undefined;
        recorder = undefined;
      },
    },
    producer(producerOptions: OtelProducerOptions = {}) {
      return new WalkeeperMetricProducer(sources, {
        ...checkProducer(producerOptions),
        boundaries: DB_CLIENT_OPERATION_DURATION_BUCKETS,
        operationsByInstrument: instruments !== undefined,
        scope: { name: OTEL_SCOPE_NAME, version: OTEL_SCOPE_VERSION },
      });
    },
    get droppedMeasurements() {
      return failures?.dropped ?? 0;
    },
  };
}

function checkInstruments(instruments: NonNullable<OtelMetricsOptions['instruments']>): void {
  const input = checkPlainObject('otelMetrics.instruments', instruments);
  checkKnownKeys('otelMetrics.instruments', input, KNOWN_INSTRUMENTS);
  const { meter, meterProvider } = instruments;
  if (meter !== undefined && typeof (meter as Partial<Meter>).createHistogram !== 'function')
    throw configError('otelMetrics.instruments.meter', meter, 'an OpenTelemetry Meter');
  if (
    meterProvider !== undefined &&
    typeof (meterProvider as Partial<MeterProvider>).getMeter !== 'function'
  )
    throw configError(
      'otelMetrics.instruments.meterProvider',
      meterProvider,
      'an OpenTelemetry MeterProvider',
    );
}

function checkProducer(options: OtelProducerOptions): {
  temporality: AggregationTemporalitySelector;
  histogram: HistogramShape;
} {
  const input = checkPlainObject('producer options', options);
  checkKnownKeys('producer', input, KNOWN_PRODUCER);
  const { temporality = CUMULATIVE, histogram = 'explicit' } = options;
  checkEnum('producer.histogram', histogram, HISTOGRAM_SHAPES);
  if (typeof temporality === 'function') return { temporality, histogram };
  if (temporality !== 0 && temporality !== 1)
    throw configError(
      'producer.temporality',
      temporality,
      'AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA or a selector function',
    );
  return { temporality: () => temporality, histogram };
}
