import { createRequire } from 'node:module';
import {
  type Attributes,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
} from '@opentelemetry/api';
import type {
  CheckpointResult,
  PluginContext,
  QueryEvent,
  Walkeeper,
  WalkeeperPlugin,
} from '@walkeeper/core';
import { checkKnownKeys, checkPlainObject, configError } from '@walkeeper/core/plugin-kit';
import { PoolTimes } from './internal/pool-times.js';
import { QueryRecorder } from './internal/query-recorder.js';
import { ReportOnce } from './internal/report-once.js';
import { checkpointAttributes, StatsObserver } from './internal/stats-observer.js';
import {
  ATTR_DB_CLIENT_CONNECTION_POOL_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_SYSTEM_NAME,
  DB_CLIENT_OPERATION_DURATION_BUCKETS,
  DB_SYSTEM_NAME_VALUE_SQLITE,
  METRIC_SQLITE_CHECKPOINT_DURATION,
} from './semconv.js';

export interface OtelMetricsOptions {
  /** Where the meter comes from. Default: the global provider (`metrics.getMeterProvider()`) at open. */
  meterProvider?: MeterProvider;
  /** A meter to use as is; wins over `meterProvider`. */
  meter?: Meter;
  /** `db.client.connection.pool.name`. Default: the database path, as given to `openWalkeeper()`. */
  poolName?: string;
}

/** The plugin `otelMetrics()` returns. */
export interface OtelMetricsPlugin extends WalkeeperPlugin {
  /** Measurements lost to a throwing meter, instrument or exporter callback (each site is reported once). */
  readonly droppedMeasurements: number;
}

/** The instrumentation scope: the package name and version. */
export const OTEL_SCOPE_NAME = '@walkeeper/otel';
const OTEL_SCOPE_VERSION = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;

/** The plugin's name, for `dependencies` of other plugins. */
export const OTEL_PLUGIN = 'otel';

/** How often pool wait and use times are handed to the meter between collections. */
const POOL_TIMES_FLUSH_MS = 1000;

const KNOWN = ['meterProvider', 'meter', 'poolName'];

/**
 * OpenTelemetry metrics for a walkeeper database: the semantic conventions' database client
 * metrics (`db.client.operation.duration`, `db.client.connection.*`) with their names, units
 * and attributes, and walkeeper's own `sqlite.wal.*`, `sqlite.checkpoint.*` and
 * `sqlite.database.size`. Instruments are created once, at open; observable ones read the
 * cached `stats()` snapshot. A meter or callback that throws loses its measurement, is
 * reported once through the plugin error channel, and never fails a query.
 */
export function otelMetrics(options: OtelMetricsOptions = {}): OtelMetricsPlugin {
  const input = checkPlainObject('otelMetrics options', options);
  checkKnownKeys('otelMetrics', input, KNOWN);
  const { meterProvider, meter, poolName } = options;
  if (meter !== undefined && typeof (meter as Partial<Meter>).createHistogram !== 'function')
    throw configError('otelMetrics.meter', meter, 'an OpenTelemetry Meter');
  if (
    meterProvider !== undefined &&
    typeof (meterProvider as Partial<MeterProvider>).getMeter !== 'function'
  )
    throw configError('otelMetrics.meterProvider', meterProvider, 'an OpenTelemetry MeterProvider');
  if (poolName !== undefined && (typeof poolName !== 'string' || poolName.length === 0))
    throw configError('otelMetrics.poolName', poolName, 'a non-empty string');

  let failures: ReportOnce | undefined;
  let recorder: Recorder | undefined;
  return {
    name: OTEL_PLUGIN,
    specificationVersion: 'v1',
    setup({ walkeeper, report }: PluginContext) {
      failures = new ReportOnce(report);
      try {
        const resolved =
          meter ??
          (meterProvider ?? metrics.getMeterProvider()).getMeter(
            OTEL_SCOPE_NAME,
            OTEL_SCOPE_VERSION,
          );
        recorder = new Recorder(resolved, walkeeper, poolName ?? walkeeper.path, failures);
      } catch (error) {
        // A meter that cannot create instruments leaves the database without metrics, not closed.
        failures.failed('create instruments', error);
      }
    },
    hooks: {
      onQuery(event: QueryEvent) {
        recorder?.query(event);
      },
      onCheckpoint(result: CheckpointResult) {
        recorder?.checkpoint(result);
      },
      onClose() {
        recorder?.dispose();
        recorder = undefined;
      },
    },
    get droppedMeasurements() {
      return failures?.dropped ?? 0;
    },
  };
}

/** The instruments of one open database. */
class Recorder {
  readonly #queries: QueryRecorder;
  readonly #checkpointDuration: Histogram;
  readonly #checkpointAttributes: ReturnType<typeof checkpointAttributes>;
  readonly #poolTimes: PoolTimes;
  readonly #observer: StatsObserver;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #failures: ReportOnce;
  readonly #walkeeper: Walkeeper;

  constructor(meter: Meter, walkeeper: Walkeeper, poolName: string, failures: ReportOnce) {
    this.#walkeeper = walkeeper;
    this.#failures = failures;
    const common: Attributes = {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_SQLITE,
      [ATTR_DB_NAMESPACE]: walkeeper.path,
    };
    const pool: Attributes = { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: poolName };
    this.#queries = new QueryRecorder(meter, common, failures);
    this.#checkpointDuration = meter.createHistogram(METRIC_SQLITE_CHECKPOINT_DURATION, {
      description: 'Duration of SQLite WAL checkpoints, by mode and outcome.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DB_CLIENT_OPERATION_DURATION_BUCKETS] },
    });
    this.#checkpointAttributes = checkpointAttributes(common);
    this.#poolTimes = new PoolTimes(meter, pool, failures);
    this.#poolTimes.start(walkeeper.stats().pool);
    this.#observer = new StatsObserver(
      meter,
      walkeeper,
      { common, pool },
      this.#poolTimes,
      failures,
    );
    this.#timer = setInterval(() => this.#flushPoolTimes(), POOL_TIMES_FLUSH_MS);
    this.#timer.unref?.();
  }

  query(event: QueryEvent): void {
    this.#queries.record(event);
  }

  checkpoint(result: CheckpointResult): void {
    try {
      const outcome = result.busy ? 'busy' : 'complete';
      this.#checkpointDuration.record(
        result.durationMs / 1000,
        this.#checkpointAttributes[result.mode][outcome],
      );
    } catch (error) {
      this.#failures.failed('record sqlite.checkpoint.duration', error);
    }
  }

  dispose(): void {
    clearInterval(this.#timer);
    this.#flushPoolTimes();
    this.#observer.dispose();
  }

  #flushPoolTimes(): void {
    try {
      this.#poolTimes.flush(this.#walkeeper.stats().pool);
    } catch (error) {
      this.#failures.failed('stats()', error);
    }
  }
}
