import {
  CHECKPOINT_MODES,
  type CheckpointMode,
  type CheckpointResult,
  type PluginContext,
  type QueryEvent,
  type Walkeeper,
  type WalkeeperPlugin,
  type WalkeeperStats,
} from '@walkeeper/core';
import {
  checkInteger,
  checkKnownKeys,
  checkPlainObject,
  configError,
} from '@walkeeper/core/plugin-kit';
import { type Alert, type AlertOptions, type AlertThresholds, evaluateAlerts } from './alerts.js';
import { type CheckpointEvent, IntervalRecorder } from './interval.js';
import { mergeLatency } from './latency.js';
import { buildReport, type HistoryReport, type ReportOptions } from './report.js';
import { Ring } from './ring.js';
import type { HistorySample } from './sample.js';

export interface MetricsHistoryOptions {
  /** Length of one sample's interval. Default 30 000 ms. */
  resolutionMs?: number;
  /** Samples kept in memory; the oldest go first. Default 2880 (a day at 30 s). */
  capacity?: number;
  /** A query slower than this counts as slow (reports, alerts). Default 100 ms. */
  slowQueryMs?: number;
  /** Alert thresholds; each defaults to the database's `health` options or the values in `AlertThresholds`. */
  alerts?: Partial<Omit<AlertThresholds, 'slowQueryMs'>>;
  /** The clock samples are stamped with and reports look back from. Default `Date.now`. */
  now?: () => number;
}

/** The plugin `metricsHistory()` and `history()` return. */
export interface MetricsHistoryPlugin extends WalkeeperPlugin {
  /** Ends the current interval now and keeps its sample (the timer does this every `resolutionMs`). */
  sample(): HistorySample | undefined;
  /** The samples in memory, oldest first; with `hours`, only those of the last `hours`. */
  samples(options?: ReportOptions): HistorySample[];
  /** The WAL report over the last `hours` (default 1). */
  report(options?: ReportOptions): HistoryReport;
  /** What is wrong now, most severe first, at or above `severity` (default `info`). */
  alerts(options?: AlertOptions): Alert[];
}

/** Where `history()` sends finished samples; `metricsHistory()` keeps them in memory only. */
export interface SampleSink {
  open(context: SinkContext): void | Promise<void>;
  add(sample: HistorySample, checkpoints: readonly CheckpointEvent[]): void;
  close(): void;
}

export interface SinkContext {
  walkeeper: Walkeeper;
  report(error: unknown): void;
  /** Runs `fn` with the history's own query recording paused: its writes are not the app's. */
  quietly<T>(fn: () => T): T;
}

export const METRICS_HISTORY_PLUGIN = 'metrics-history';

const KNOWN = ['resolutionMs', 'capacity', 'slowQueryMs', 'alerts', 'now'];
const KNOWN_ALERTS = ['slowWindowMs', 'busyStreak', 'maxCheckpointAgeMs', 'poolQueue'];
const SEVERITIES = ['info', 'warning', 'critical'];

interface Totals {
  checkpointErrors: Record<CheckpointMode, number>;
  busyRetries: number;
  timeouts: number;
  crashes: number;
}

/**
 * A bounded in-memory history of walkeeper's metrics: every `resolutionMs` a sample of the WAL,
 * checkpoints, read and write latency percentiles, the pool and busy events. `report()` and
 * `alerts()` answer from it. Latencies come from the `onQuery` hook (every read is then timed,
 * a few tens of nanoseconds each); everything else from `stats()`, which never touches the disk.
 */
export function metricsHistory(options: MetricsHistoryOptions = {}): MetricsHistoryPlugin {
  return createHistoryPlugin(METRICS_HISTORY_PLUGIN, options, undefined);
}

export function createHistoryPlugin(
  name: string,
  options: MetricsHistoryOptions,
  sink: SampleSink | undefined,
  extraKeys: readonly string[] = [],
): MetricsHistoryPlugin {
  const input = checkPlainObject(name, options);
  checkKnownKeys(name, input, [...KNOWN, ...extraKeys]);
  const resolutionMs =
    options.resolutionMs === undefined
      ? 30_000
      : checkInteger(`${name}.resolutionMs`, options.resolutionMs, 100, 86_400_000);
  const capacity =
    options.capacity === undefined
      ? 2_880
      : checkInteger(`${name}.capacity`, options.capacity, 1, 1_000_000);
  const slowQueryMs = options.slowQueryMs ?? 100;
  if (typeof slowQueryMs !== 'number' || !(slowQueryMs > 0))
    throw configError(`${name}.slowQueryMs`, slowQueryMs, 'a positive number of milliseconds');
  if (options.now !== undefined && typeof options.now !== 'function')
    throw configError(`${name}.now`, options.now, 'a function returning milliseconds');
  if (options.alerts !== undefined)
    checkKnownKeys(
      `${name}.alerts`,
      checkPlainObject(`${name}.alerts`, options.alerts),
      KNOWN_ALERTS,
    );
  const now = options.now ?? Date.now;
  const ring = new Ring<HistorySample>(capacity);
  const interval = new IntervalRecorder(slowQueryMs);
  let walkeeper: Walkeeper | undefined;
  let thresholds: AlertThresholds | undefined;
  let totals: Totals | undefined;
  let lastAt = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let report: (error: unknown) => void = () => {};

  const takeSample = (): HistorySample | undefined => {
    if (walkeeper === undefined || totals === undefined) return undefined;
    let stats: WalkeeperStats;
    let health: ReturnType<Walkeeper['health']>;
    try {
      stats = walkeeper.stats();
      health = walkeeper.health();
    } catch (error) {
      report(error);
      return undefined;
    }
    const at = now();
    for (const mode of CHECKPOINT_MODES) {
      const errors = stats.checkpoints.byMode[mode].error;
      interval.checkpointErrors(mode, errors - totals.checkpointErrors[mode], at);
    }
    const data = interval.take();
    const pool = stats.pool;
    const sample: HistorySample = {
      at,
      intervalMs: Math.max(0, at - lastAt),
      wal: {
        bytes: stats.wal.walBytes,
        frames: stats.wal.frames,
        backfilledFrames: stats.wal.backfilledFrames,
        capBytes: stats.wal.capBytes,
      },
      databaseBytes: stats.database.bytes,
      reads: data.reads,
      writes: data.writes,
      checkpoints: data.checkpoints,
      busyStreak: stats.checkpoints.busyStreak,
      busy: {
        checkpoints: data.busyCheckpoints,
        writeRetries: stats.writes.busyRetries - totals.busyRetries,
      },
      pool: {
        size: pool.max,
        used: pool.connections.used,
        pending: pool.pending,
        maxQueue: walkeeper.options.readers.maxQueue,
        waitP95Ms: pool.waitTimeMs.p95Ms,
        timeouts: pool.timeouts - totals.timeouts,
        crashes: pool.crashes - totals.crashes,
      },
      health: { status: health.status, reasons: health.reasons.map((r) => r.code) },
    };
    totals = totalsOf(stats);
    lastAt = at;
    ring.push(sample);
    if (sink !== undefined) {
      try {
        sink.add(sample, data.events);
      } catch (error) {
        report(error);
      }
    }
    return sample;
  };

  const inWindow = (hours: number | undefined) => {
    const samples = ring.toArray();
    if (hours === undefined) return samples;
    const from = now() - hours * 3_600_000;
    return samples.filter((s) => s.at > from);
  };

  return {
    name,
    specificationVersion: 'v1',
    async setup(context: PluginContext) {
      walkeeper = context.walkeeper;
      report = context.report;
      const health = walkeeper.options.health;
      thresholds = {
        slowQueryMs,
        slowWindowMs: options.alerts?.slowWindowMs ?? 60_000,
        busyStreak: options.alerts?.busyStreak ?? health.busyStreak,
        maxCheckpointAgeMs: options.alerts?.maxCheckpointAgeMs ?? health.maxCheckpointAgeMs,
        poolQueue: options.alerts?.poolQueue ?? { info: 0.5, warning: 0.8, critical: 0.95 },
      };
      totals = totalsOf(walkeeper.stats());
      lastAt = now();
      if (sink !== undefined) {
        // The sink's own setup (migrating the monitoring schema) is not the application's work.
        interval.paused = true;
        try {
          await sink.open({
            walkeeper,
            report,
            quietly(fn) {
              const paused = interval.paused;
              interval.paused = true;
              try {
                return fn();
              } finally {
                interval.paused = paused;
              }
            },
          });
        } finally {
          interval.paused = false;
        }
      }
      timer = setInterval(takeSample, resolutionMs);
      timer.unref?.();
    },
    hooks: {
      onQuery(event: QueryEvent) {
        interval.query(event);
      },
      onCheckpoint(result: CheckpointResult) {
        interval.checkpoint(result, now());
      },
      onClose() {
        clearInterval(timer);
        timer = undefined;
        takeSample();
        sink?.close();
        walkeeper = undefined;
      },
    },
    sample: takeSample,
    samples: (reportOptions) => inWindow(reportOptions?.hours),
    report: (reportOptions) => buildReport(ring.toArray(), now(), reportOptions),
    alerts(alertOptions = {}) {
      const severity = alertOptions.severity ?? 'info';
      if (!SEVERITIES.includes(severity))
        throw configError('alerts.severity', severity, "'info', 'warning' or 'critical'");
      if (walkeeper === undefined || thresholds === undefined) return [];
      const stats = walkeeper.stats();
      const from = now() - thresholds.slowWindowMs;
      const recent = ring.toArray().filter((s) => s.at > from);
      const current = interval.peek();
      const wallNow = Date.now();
      const completedAt = stats.checkpoints.lastCompleteAt ?? wallNow - stats.uptimeMs;
      return evaluateAlerts(
        {
          walBytes: stats.wal.walBytes,
          walCapBytes: stats.wal.capBytes,
          frames: stats.wal.frames,
          backfilledFrames: stats.wal.backfilledFrames,
          busyStreak: stats.checkpoints.busyStreak,
          checkpointAgeMs: wallNow - completedAt,
          pending: stats.pool.pending,
          maxQueue: walkeeper.options.readers.maxQueue,
          pin: stats.scheduler?.pin,
          recent: {
            reads: mergeLatency([...recent.map((s) => s.reads), current.reads]),
            writes: mergeLatency([...recent.map((s) => s.writes), current.writes]),
          },
        },
        thresholds,
        severity,
      );
    },
  };
}

function totalsOf(stats: WalkeeperStats): Totals {
  const checkpointErrors = {} as Record<CheckpointMode, number>;
  for (const mode of CHECKPOINT_MODES)
    checkpointErrors[mode] = stats.checkpoints.byMode[mode].error;
  return {
    checkpointErrors,
    busyRetries: stats.writes.busyRetries,
    timeouts: stats.pool.timeouts,
    crashes: stats.pool.crashes,
  };
}
