import { type Meter, type MeterProvider, metrics } from '@opentelemetry/api';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import type { PluginContext, QueryEvent, WalkeeperPlugin } from '@walkeeper/core';
import { checkKnownKeys, checkPlainObject, configError } from '@walkeeper/core/plugin-kit';
import { sourcesOf } from './internal/producer.js';
import { QueryRecorder } from './internal/query-recorder.js';
import { ReportOnce } from './internal/report-once.js';
import { createSource, type Source } from './internal/source.js';
import { OTEL_SCOPE_NAME, OTEL_SCOPE_VERSION } from './scope.js';

export interface OtelMetricsOptions {
  /** Producers (`otelMetricProducer()`) of the readers that export this database. */
  producers?: readonly MetricProducer[];
  /** `db.client.connection.pool.name`. Default: the database path, as given to `openWalkeeper()`. */
  poolName?: string;
  /**
   * Record `db.client.operation.duration` on every operation through an SDK Histogram
   * instead of exporting walkeeper's aggregate: about 1 µs per operation, for exemplars.
   * `meter` is used as is; otherwise the meter comes from `meterProvider`, or from the global
   * provider at open. The other metrics still come from the producers.
   */
  instruments?: { meterProvider?: MeterProvider; meter?: Meter };
}

/** The plugin `otelMetrics()` returns. */
export interface OtelMetricsPlugin extends WalkeeperPlugin {
  /** Measurements lost to a throwing meter or instrument (each site is reported once). */
  readonly droppedMeasurements: number;
}

export { OTEL_SCOPE_NAME } from './scope.js';

/** The plugin's name, for `dependencies` of other plugins. */
export const OTEL_PLUGIN = 'otel';

const KNOWN = ['producers', 'poolName', 'instruments'];
const KNOWN_INSTRUMENTS = ['meterProvider', 'meter'];

/**
 * OpenTelemetry metrics for one walkeeper database: the semantic conventions' database
 * client metrics (`db.client.operation.duration`, `db.client.connection.*`) with their
 * names, units and attributes, and walkeeper's own `sqlite.wal.*`, `sqlite.checkpoint.*` and
 * `sqlite.database.size`. The producers read them from walkeeper's own counters and
 * histograms when their reader collects, so an operation costs nothing more than
 * walkeeper's own timing. One plugin per database; a database may feed several readers.
 */
export function otelMetrics(options: OtelMetricsOptions = {}): OtelMetricsPlugin {
  const input = checkPlainObject('otelMetrics options', options);
  checkKnownKeys('otelMetrics', input, KNOWN);
  const { producers = [], poolName, instruments } = options;
  if (!Array.isArray(producers))
    throw configError('otelMetrics.producers', producers, 'an array of otelMetricProducer()');
  const sets = producers.map((producer, index) => {
    const sources = sourcesOf(producer);
    if (sources === undefined)
      throw configError(`otelMetrics.producers[${index}]`, producer, 'an otelMetricProducer()');
    return sources;
  });
  if (poolName !== undefined && (typeof poolName !== 'string' || poolName.length === 0))
    throw configError('otelMetrics.poolName', poolName, 'a non-empty string');
  if (instruments !== undefined) checkInstruments(instruments);
  if (sets.length === 0 && instruments === undefined)
    throw configError('otelMetrics options', options, 'producers, instruments, or both');

  let failures: ReportOnce | undefined;
  let source: Source | undefined;
  let recorder: QueryRecorder | undefined;
  const detach = () => {
    if (source !== undefined) for (const set of sets) set.delete(source);
    source = undefined;
    recorder = undefined;
  };
  return {
    name: OTEL_PLUGIN,
    specificationVersion: 'v1',
    setup({ walkeeper, report }: PluginContext) {
      // Registered again for another open: the old database has closed or is closing.
      detach();
      failures = new ReportOnce(report);
      source = createSource(walkeeper, poolName, instruments !== undefined);
      for (const set of sets) set.add(source);
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
      // Without per-call instruments there is no onQuery hook, so reads are not reported.
      ...(instruments === undefined
        ? {}
        : {
            onQuery(event: QueryEvent) {
              recorder?.record(event);
            },
          }),
      onClose: detach,
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
