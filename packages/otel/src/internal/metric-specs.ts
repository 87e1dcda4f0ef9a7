import type { Attributes } from '@opentelemetry/api';
import type { InstrumentType } from '@opentelemetry/sdk-metrics';
import { CHECKPOINT_MODES, type CheckpointOutcome, type WalkeeperStats } from '@walkeeper/core';
import type { Histogram, OperationSeries } from '@walkeeper/core/plugin-kit';
import { namedFailure } from '../error-type.js';
import { WRITE_OPERATION_NAME } from '../operation-name.js';
import {
  ATTR_DB_CLIENT_CONNECTION_STATE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_ERROR_TYPE,
  ATTR_SQLITE_CHECKPOINT_MODE,
  ATTR_SQLITE_CHECKPOINT_OUTCOME,
  DB_CLIENT_CONNECTION_STATE_VALUE_IDLE,
  DB_CLIENT_CONNECTION_STATE_VALUE_USED,
  METRIC_DB_CLIENT_CONNECTION_COUNT,
  METRIC_DB_CLIENT_CONNECTION_MAX,
  METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS,
  METRIC_DB_CLIENT_CONNECTION_TIMEOUTS,
  METRIC_DB_CLIENT_CONNECTION_USE_TIME,
  METRIC_DB_CLIENT_CONNECTION_WAIT_TIME,
  METRIC_DB_CLIENT_OPERATION_DURATION,
  METRIC_SQLITE_CHECKPOINT_BUSY_STREAK,
  METRIC_SQLITE_CHECKPOINT_COUNT,
  METRIC_SQLITE_CHECKPOINT_DURATION,
  METRIC_SQLITE_DATABASE_SIZE,
  METRIC_SQLITE_WAL_BACKFILLED_FRAMES,
  METRIC_SQLITE_WAL_FRAMES,
  METRIC_SQLITE_WAL_SIZE,
} from '../semconv.js';
import type { Source } from './source.js';

/** One value of a counter, up-down counter or gauge; `key` names its series within the metric. */
export interface NumberPoint {
  key: string;
  attributes: Attributes;
  value: number;
}

/** One histogram of a histogram metric; `key` names its series within the metric. */
export interface HistogramSeries {
  key: string;
  attributes: Attributes;
  histogram: Histogram;
}

interface Described {
  name: string;
  description: string;
  unit: string;
  /** The instrument it stands for: what a reader's temporality selector is asked about. */
  instrumentType: InstrumentType;
}

export interface NumberSpec extends Described {
  kind: 'counter' | 'updown' | 'gauge';
  read(stats: WalkeeperStats, source: Source): NumberPoint[];
}

export interface HistogramSpec extends Described {
  kind: 'histogram';
  /** `db.client.operation.duration`, which may come from a per-call instrument instead. */
  operations: boolean;
  series(source: Source): HistogramSeries[];
}

export type MetricSpec = NumberSpec | HistogramSpec;

const HISTOGRAM = 'HISTOGRAM' as InstrumentType.HISTOGRAM;
const OBSERVABLE_COUNTER = 'OBSERVABLE_COUNTER' as InstrumentType.OBSERVABLE_COUNTER;
const OBSERVABLE_UP_DOWN_COUNTER =
  'OBSERVABLE_UP_DOWN_COUNTER' as InstrumentType.OBSERVABLE_UP_DOWN_COUNTER;
const OBSERVABLE_GAUGE = 'OBSERVABLE_GAUGE' as InstrumentType.OBSERVABLE_GAUGE;

const OUTCOMES: readonly CheckpointOutcome[] = ['complete', 'busy', 'error'];

function checkpointAttributes(
  source: Source,
  mode: string,
  outcome: CheckpointOutcome,
): Attributes {
  return {
    ...source.common,
    [ATTR_SQLITE_CHECKPOINT_MODE]: mode.toLowerCase(),
    [ATTR_SQLITE_CHECKPOINT_OUTCOME]: outcome,
  };
}

function one(attributes: Attributes, value: number): NumberPoint[] {
  return [{ key: '', attributes, value }];
}

function gauge(
  name: string,
  description: string,
  unit: string,
  value: (stats: WalkeeperStats) => number,
): NumberSpec {
  return {
    name,
    description,
    unit,
    kind: 'gauge',
    instrumentType: OBSERVABLE_GAUGE,
    read: (stats, source) => one(source.common, value(stats)),
  };
}

/** Counters, up-down counters and gauges: one `stats()` snapshot per database per collection. */
export const STATS_METRICS: readonly NumberSpec[] = [
  {
    name: METRIC_DB_CLIENT_CONNECTION_COUNT,
    description:
      'The number of connections that are currently in state described by the state attribute',
    unit: '{connection}',
    kind: 'updown',
    instrumentType: OBSERVABLE_UP_DOWN_COUNTER,
    read: ({ pool }, source) => [
      {
        key: DB_CLIENT_CONNECTION_STATE_VALUE_IDLE,
        attributes: {
          ...source.pool,
          [ATTR_DB_CLIENT_CONNECTION_STATE]: DB_CLIENT_CONNECTION_STATE_VALUE_IDLE,
        },
        value: pool.connections.idle,
      },
      {
        key: DB_CLIENT_CONNECTION_STATE_VALUE_USED,
        attributes: {
          ...source.pool,
          [ATTR_DB_CLIENT_CONNECTION_STATE]: DB_CLIENT_CONNECTION_STATE_VALUE_USED,
        },
        value: pool.connections.used,
      },
    ],
  },
  {
    name: METRIC_DB_CLIENT_CONNECTION_MAX,
    description: 'The maximum number of open connections allowed',
    unit: '{connection}',
    kind: 'updown',
    instrumentType: OBSERVABLE_UP_DOWN_COUNTER,
    read: ({ pool }, source) => one(source.pool, pool.max),
  },
  {
    name: METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS,
    description: 'The number of current pending requests for an open connection',
    unit: '{request}',
    kind: 'updown',
    instrumentType: OBSERVABLE_UP_DOWN_COUNTER,
    read: ({ pool }, source) => one(source.pool, pool.pending),
  },
  {
    name: METRIC_DB_CLIENT_CONNECTION_TIMEOUTS,
    description:
      'The number of connection timeouts that have occurred trying to obtain a connection from the pool',
    unit: '{timeout}',
    kind: 'counter',
    instrumentType: OBSERVABLE_COUNTER,
    read: ({ pool }, source) => one(source.pool, pool.timeouts),
  },
  gauge(
    METRIC_SQLITE_WAL_SIZE,
    'Size of the -wal file, from the last WAL sample.',
    'By',
    (stats) => stats.wal.walBytes,
  ),
  gauge(
    METRIC_SQLITE_WAL_FRAMES,
    'Frames in the write-ahead log since its last reset.',
    '{frame}',
    (stats) => stats.wal.frames,
  ),
  gauge(
    METRIC_SQLITE_WAL_BACKFILLED_FRAMES,
    'Frames of the write-ahead log already copied back into the database.',
    '{frame}',
    (stats) => stats.wal.backfilledFrames,
  ),
  {
    name: METRIC_SQLITE_CHECKPOINT_COUNT,
    description: 'Checkpoints run, by mode and outcome (complete, busy, error).',
    unit: '{checkpoint}',
    kind: 'counter',
    instrumentType: OBSERVABLE_COUNTER,
    read: ({ checkpoints }, source) =>
      CHECKPOINT_MODES.flatMap((mode) =>
        OUTCOMES.map((outcome) => ({
          key: `${mode}/${outcome}`,
          attributes: checkpointAttributes(source, mode, outcome),
          value: checkpoints.byMode[mode][outcome],
        })),
      ),
  },
  gauge(
    METRIC_SQLITE_CHECKPOINT_BUSY_STREAK,
    'Consecutive checkpoints that could not finish (busy or failed).',
    '{checkpoint}',
    (stats) => stats.checkpoints.busyStreak,
  ),
  gauge(
    METRIC_SQLITE_DATABASE_SIZE,
    'Size of the database file, from the last WAL sample.',
    'By',
    (stats) => stats.database.bytes,
  ),
];

/** The attributes of one of core's operation series. */
function operationAttributes(source: Source, series: OperationSeries): Attributes {
  const operation = series.kind === 'write' ? WRITE_OPERATION_NAME : series.operation;
  const attributes: Attributes = { ...source.common };
  if (operation !== undefined) attributes[ATTR_DB_OPERATION_NAME] = operation;
  if (series.failed) {
    const { type, statusCode } = namedFailure(series.failure);
    attributes[ATTR_ERROR_TYPE] = type;
    if (statusCode !== undefined) attributes[ATTR_DB_RESPONSE_STATUS_CODE] = statusCode;
  }
  return attributes;
}

function poolHistogram(
  name: string,
  description: string,
  pick: (source: Source) => Histogram,
): HistogramSpec {
  return {
    name,
    description,
    unit: 's',
    kind: 'histogram',
    operations: false,
    instrumentType: HISTOGRAM,
    series: (source) => [{ key: '', attributes: source.pool, histogram: pick(source) }],
  };
}

/** Histograms: core's live ones, read as they stand. */
export const HISTOGRAM_METRICS: readonly HistogramSpec[] = [
  {
    name: METRIC_DB_CLIENT_OPERATION_DURATION,
    description: 'Duration of database client operations.',
    unit: 's',
    kind: 'histogram',
    operations: true,
    instrumentType: HISTOGRAM,
    series: (source) =>
      source.histograms.operations.map((series) => ({
        key: `${series.kind}/${series.operation ?? ''}/${series.failed}/${series.failure ?? ''}`,
        attributes: operationAttributes(source, series),
        histogram: series.histogram,
      })),
  },
  poolHistogram(
    METRIC_DB_CLIENT_CONNECTION_WAIT_TIME,
    'The time it took to obtain an open connection from the pool',
    (source) => source.histograms.poolWaitTime,
  ),
  poolHistogram(
    METRIC_DB_CLIENT_CONNECTION_USE_TIME,
    'The time between borrowing a connection and returning it to the pool',
    (source) => source.histograms.poolUseTime,
  ),
  {
    name: METRIC_SQLITE_CHECKPOINT_DURATION,
    description: 'Duration of SQLite WAL checkpoints, by mode and outcome.',
    unit: 's',
    kind: 'histogram',
    operations: false,
    instrumentType: HISTOGRAM,
    series: (source) =>
      CHECKPOINT_MODES.flatMap((mode) =>
        (['complete', 'busy'] as const).map((outcome) => ({
          key: `${mode}/${outcome}`,
          attributes: checkpointAttributes(source, mode, outcome),
          histogram: source.histograms.checkpointDuration[mode][outcome],
        })),
      ),
  },
];
