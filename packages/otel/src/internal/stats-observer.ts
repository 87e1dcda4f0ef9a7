import type {
  Attributes,
  BatchObservableResult,
  Meter,
  Observable,
  ObservableCounter,
  ObservableGauge,
  ObservableUpDownCounter,
} from '@opentelemetry/api';
import type { CheckpointMode, CheckpointOutcome, Walkeeper, WalkeeperStats } from '@walkeeper/core';
import { CHECKPOINT_MODES } from '@walkeeper/core';
import {
  ATTR_DB_CLIENT_CONNECTION_STATE,
  ATTR_SQLITE_CHECKPOINT_MODE,
  ATTR_SQLITE_CHECKPOINT_OUTCOME,
  DB_CLIENT_CONNECTION_STATE_VALUE_IDLE,
  DB_CLIENT_CONNECTION_STATE_VALUE_USED,
  METRIC_DB_CLIENT_CONNECTION_COUNT,
  METRIC_DB_CLIENT_CONNECTION_MAX,
  METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS,
  METRIC_DB_CLIENT_CONNECTION_TIMEOUTS,
  METRIC_SQLITE_CHECKPOINT_BUSY_STREAK,
  METRIC_SQLITE_CHECKPOINT_COUNT,
  METRIC_SQLITE_DATABASE_SIZE,
  METRIC_SQLITE_WAL_BACKFILLED_FRAMES,
  METRIC_SQLITE_WAL_FRAMES,
  METRIC_SQLITE_WAL_SIZE,
} from '../semconv.js';
import type { PoolTimes } from './pool-times.js';
import type { ReportOnce } from './report-once.js';

const OUTCOMES: readonly CheckpointOutcome[] = ['complete', 'busy', 'error'];

/** Attributes of a checkpoint: the common ones plus mode and outcome, lower-case. */
export function checkpointAttributes(
  common: Attributes,
): Record<CheckpointMode, Record<CheckpointOutcome, Attributes>> {
  const table = {} as Record<CheckpointMode, Record<CheckpointOutcome, Attributes>>;
  for (const mode of CHECKPOINT_MODES) {
    const byOutcome = {} as Record<CheckpointOutcome, Attributes>;
    for (const outcome of OUTCOMES) {
      byOutcome[outcome] = {
        ...common,
        [ATTR_SQLITE_CHECKPOINT_MODE]: mode.toLowerCase(),
        [ATTR_SQLITE_CHECKPOINT_OUTCOME]: outcome,
      };
    }
    table[mode] = byOutcome;
  }
  return table;
}

/**
 * Every observable instrument, read in one batch callback from one `stats()` snapshot per
 * collection. `stats()` reads walkeeper's cached WAL sample and in-memory counters, so a
 * collection never touches the disk or a connection.
 */
export class StatsObserver {
  readonly #meter: Meter;
  readonly #walkeeper: Walkeeper;
  readonly #failures: ReportOnce;
  readonly #poolTimes: PoolTimes;
  readonly #common: Attributes;
  readonly #pool: Attributes;
  readonly #idle: Attributes;
  readonly #used: Attributes;
  readonly #checkpoints: Record<CheckpointMode, Record<CheckpointOutcome, Attributes>>;
  readonly #connectionCount: ObservableUpDownCounter;
  readonly #connectionMax: ObservableUpDownCounter;
  readonly #pending: ObservableUpDownCounter;
  readonly #timeouts: ObservableCounter;
  readonly #walSize: ObservableGauge;
  readonly #walFrames: ObservableGauge;
  readonly #backfilled: ObservableGauge;
  readonly #checkpointCount: ObservableCounter;
  readonly #busyStreak: ObservableGauge;
  readonly #databaseSize: ObservableGauge;
  readonly #observables: Observable[];
  readonly #callback = (result: BatchObservableResult) => this.#observe(result);

  constructor(
    meter: Meter,
    walkeeper: Walkeeper,
    attributes: { common: Attributes; pool: Attributes },
    poolTimes: PoolTimes,
    failures: ReportOnce,
  ) {
    this.#meter = meter;
    this.#walkeeper = walkeeper;
    this.#failures = failures;
    this.#poolTimes = poolTimes;
    this.#common = attributes.common;
    this.#pool = attributes.pool;
    this.#idle = {
      ...this.#pool,
      [ATTR_DB_CLIENT_CONNECTION_STATE]: DB_CLIENT_CONNECTION_STATE_VALUE_IDLE,
    };
    this.#used = {
      ...this.#pool,
      [ATTR_DB_CLIENT_CONNECTION_STATE]: DB_CLIENT_CONNECTION_STATE_VALUE_USED,
    };
    this.#checkpoints = checkpointAttributes(this.#common);

    this.#connectionCount = meter.createObservableUpDownCounter(METRIC_DB_CLIENT_CONNECTION_COUNT, {
      description:
        'The number of connections that are currently in state described by the state attribute',
      unit: '{connection}',
    });
    this.#connectionMax = meter.createObservableUpDownCounter(METRIC_DB_CLIENT_CONNECTION_MAX, {
      description: 'The maximum number of open connections allowed',
      unit: '{connection}',
    });
    this.#pending = meter.createObservableUpDownCounter(
      METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS,
      {
        description: 'The number of current pending requests for an open connection',
        unit: '{request}',
      },
    );
    this.#timeouts = meter.createObservableCounter(METRIC_DB_CLIENT_CONNECTION_TIMEOUTS, {
      description:
        'The number of connection timeouts that have occurred trying to obtain a connection from the pool',
      unit: '{timeout}',
    });
    this.#walSize = meter.createObservableGauge(METRIC_SQLITE_WAL_SIZE, {
      description: 'Size of the -wal file, from the last WAL sample.',
      unit: 'By',
    });
    this.#walFrames = meter.createObservableGauge(METRIC_SQLITE_WAL_FRAMES, {
      description: 'Frames in the write-ahead log since its last reset.',
      unit: '{frame}',
    });
    this.#backfilled = meter.createObservableGauge(METRIC_SQLITE_WAL_BACKFILLED_FRAMES, {
      description: 'Frames of the write-ahead log already copied back into the database.',
      unit: '{frame}',
    });
    this.#checkpointCount = meter.createObservableCounter(METRIC_SQLITE_CHECKPOINT_COUNT, {
      description: 'Checkpoints run, by mode and outcome (complete, busy, error).',
      unit: '{checkpoint}',
    });
    this.#busyStreak = meter.createObservableGauge(METRIC_SQLITE_CHECKPOINT_BUSY_STREAK, {
      description: 'Consecutive checkpoints that could not finish (busy or failed).',
      unit: '{checkpoint}',
    });
    this.#databaseSize = meter.createObservableGauge(METRIC_SQLITE_DATABASE_SIZE, {
      description: 'Size of the database file, from the last WAL sample.',
      unit: 'By',
    });
    this.#observables = [
      this.#connectionCount,
      this.#connectionMax,
      this.#pending,
      this.#timeouts,
      this.#walSize,
      this.#walFrames,
      this.#backfilled,
      this.#checkpointCount,
      this.#busyStreak,
      this.#databaseSize,
    ];
    meter.addBatchObservableCallback(this.#callback, this.#observables);
  }

  dispose(): void {
    try {
      this.#meter.removeBatchObservableCallback(this.#callback, this.#observables);
    } catch (error) {
      this.#failures.failed('removeBatchObservableCallback', error);
    }
  }

  #observe(result: BatchObservableResult): void {
    let stats: WalkeeperStats;
    try {
      stats = this.#walkeeper.stats();
    } catch (error) {
      // Closed, or closing: nothing to observe.
      this.#failures.failed('stats()', error);
      return;
    }
    try {
      const { pool, wal, checkpoints, database } = stats;
      result.observe(this.#connectionCount, pool.connections.idle, this.#idle);
      result.observe(this.#connectionCount, pool.connections.used, this.#used);
      result.observe(this.#connectionMax, pool.max, this.#pool);
      result.observe(this.#pending, pool.pending, this.#pool);
      result.observe(this.#timeouts, pool.timeouts, this.#pool);
      result.observe(this.#walSize, wal.walBytes, this.#common);
      result.observe(this.#walFrames, wal.frames, this.#common);
      result.observe(this.#backfilled, wal.backfilledFrames, this.#common);
      result.observe(this.#busyStreak, checkpoints.busyStreak, this.#common);
      result.observe(this.#databaseSize, database.bytes, this.#common);
      for (const mode of CHECKPOINT_MODES) {
        const counts = checkpoints.byMode[mode];
        for (const outcome of OUTCOMES) {
          result.observe(this.#checkpointCount, counts[outcome], this.#checkpoints[mode][outcome]);
        }
      }
    } catch (error) {
      this.#failures.failed('observe', error);
    }
    // Pool wait and use times recorded now land in this same collection.
    this.#poolTimes.flush(stats.pool);
  }
}
