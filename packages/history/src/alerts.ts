import { PIN_REPORT_MS } from '@walkeeper/core';
import type { LatencySummary } from './latency.js';

export type AlertSeverity = 'info' | 'warning' | 'critical';

export type AlertCode =
  | 'SLOW_READS'
  | 'SLOW_WRITES'
  | 'WAL_OVER_CAP'
  | 'CHECKPOINT_BUSY_STREAK'
  | 'CHECKPOINT_STALE'
  | 'WAL_PINNED_BY_READER'
  | 'POOL_QUEUE_NEAR_FULL';

export interface Alert {
  code: AlertCode;
  severity: AlertSeverity;
  /** What is wrong, with the numbers. */
  message: string;
  /** What to do about it, in one plain line. */
  advice: string;
  value: number;
  threshold: number;
}

export interface AlertOptions {
  /** The least severe alert to list. Default `info` (all of them). */
  severity?: AlertSeverity;
}

export interface AlertThresholds {
  /** A query slower than this is slow. Default 100 ms. */
  slowQueryMs: number;
  /** How far back slow queries count. Default 60 s. */
  slowWindowMs: number;
  /** Consecutive busy checkpoints that warn (three times that: critical). Default: `health.busyStreak`. */
  busyStreak: number;
  /** No complete checkpoint for this long with frames waiting warns (four times: critical). Default: `health.maxCheckpointAgeMs`. */
  maxCheckpointAgeMs: number;
  /** Fractions of `readers.maxQueue` waiting that are info, warning and critical. Default 0.5, 0.8, 0.95. */
  poolQueue: { info: number; warning: number; critical: number };
}

/** What the alerts look at: the present, from `stats()`, and the recent queries. */
export interface AlertState {
  walBytes: number;
  walCapBytes: number;
  frames: number;
  backfilledFrames: number;
  busyStreak: number;
  /** Since the last complete checkpoint (or the open, when none has completed). */
  checkpointAgeMs: number;
  pending: number;
  maxQueue: number;
  /** A reader's snapshot stops backfill (`stats().scheduler.pin`): frames past it, and since when. */
  pin?: { frames: number; forMs: number } | undefined;
  recent: { reads: LatencySummary; writes: LatencySummary };
}

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

export const ADVICE: Record<AlertCode, string> = {
  SLOW_READS:
    'Run EXPLAIN QUERY PLAN on the slow reads and add the index they scan for; a long read also holds the WAL and delays checkpoint resets.',
  SLOW_WRITES:
    'Keep write transactions short: prepare data before write(), split bulk loads into batches of a few thousand rows, and index the columns UPDATE and DELETE filter on.',
  WAL_OVER_CAP:
    'Checkpoints cannot reset the WAL: look for a long-lived read transaction (another process, an unfinished iterator, a backup), or use sizeCapped({ maxWalBytes }) to reset it through the read barrier.',
  CHECKPOINT_BUSY_STREAK:
    'A reader outside walkeeper holds the WAL: find the process with a long read transaction (a backup, a BI tool, the sqlite3 shell) and end it or make its reads shorter.',
  WAL_PINNED_BY_READER:
    'A reader holds one snapshot and no checkpoint can get past it: run `walkeeper status <db>` to list the processes inside a read transaction, then end that transaction (a sqlite3 shell, a backup, a replicator).',
  CHECKPOINT_STALE:
    'No checkpoint has completed for a while: register a strategy plugin (tiered()) if there is none, and check health() for CHECKPOINTS_HANDED_BACK.',
  POOL_QUEUE_NEAR_FULL:
    'Reads arrive faster than the pool serves them: add readers (readers.size), move point lookups to prepareRead(), or find the slow reads that hold connections.',
};

/** The alerts of a state, most severe first, at or above `minimum`. A pure function. */
export function evaluateAlerts(
  state: AlertState,
  thresholds: AlertThresholds,
  minimum: AlertSeverity = 'info',
): Alert[] {
  const alerts: Alert[] = [];
  const add = (
    code: AlertCode,
    severity: AlertSeverity,
    message: string,
    value: number,
    threshold: number,
  ) => alerts.push({ code, severity, message, advice: ADVICE[code], value, threshold });

  const windowS = Math.round(thresholds.slowWindowMs / 1000);
  for (const [code, kind, latency] of [
    ['SLOW_READS', 'reads', state.recent.reads],
    ['SLOW_WRITES', 'write transactions', state.recent.writes],
  ] as const) {
    if (latency.slow === 0) continue;
    const limit = thresholds.slowQueryMs;
    const severity: AlertSeverity =
      latency.p50Ms > limit ? 'critical' : latency.p95Ms > limit ? 'warning' : 'info';
    add(
      code,
      severity,
      `${latency.slow} of ${latency.count} ${kind} in the last ${windowS} s took over ${limit} ms (p95 ${ms(latency.p95Ms)}, max ${ms(latency.maxMs)})`,
      latency.slow,
      limit,
    );
  }

  const cap = state.walCapBytes;
  if (cap > 0 && state.walBytes > 0.75 * cap) {
    const severity: AlertSeverity =
      state.walBytes > 2 * cap ? 'critical' : state.walBytes > cap ? 'warning' : 'info';
    add(
      'WAL_OVER_CAP',
      severity,
      severity === 'info'
        ? `the WAL is ${mib(state.walBytes)} MiB, nearing its cap of ${mib(cap)} MiB`
        : `the WAL is ${mib(state.walBytes)} MiB, over its cap of ${mib(cap)} MiB`,
      state.walBytes,
      cap,
    );
  }

  if (state.busyStreak > 0) {
    const limit = thresholds.busyStreak;
    const severity: AlertSeverity =
      state.busyStreak >= 3 * limit ? 'critical' : state.busyStreak >= limit ? 'warning' : 'info';
    add(
      'CHECKPOINT_BUSY_STREAK',
      severity,
      `the last ${state.busyStreak} checkpoint(s) could not finish (busy or failed)`,
      state.busyStreak,
      limit,
    );
  }

  const waiting = state.frames - state.backfilledFrames;
  if (waiting > 0 && state.checkpointAgeMs > thresholds.maxCheckpointAgeMs) {
    add(
      'CHECKPOINT_STALE',
      state.checkpointAgeMs > 4 * thresholds.maxCheckpointAgeMs ? 'critical' : 'warning',
      `no checkpoint has completed for ${Math.round(state.checkpointAgeMs / 1000)} s while ${waiting} WAL frames wait to be copied back`,
      state.checkpointAgeMs,
      thresholds.maxCheckpointAgeMs,
    );
  }

  // As health() names it: pinned past an ordinary read's length, critical near the cap.
  const pin = state.pin;
  if (pin !== undefined && pin.frames > 0 && pin.forMs >= PIN_REPORT_MS) {
    add(
      'WAL_PINNED_BY_READER',
      cap > 0 && state.walBytes >= 0.75 * cap ? 'critical' : 'warning',
      `a reader's snapshot has pinned the WAL for ${Math.round(pin.forMs / 1000)} s: ${pin.frames} frames cannot be backfilled`,
      pin.forMs,
      PIN_REPORT_MS,
    );
  }

  if (state.maxQueue > 0 && state.pending > 0) {
    const fill = state.pending / state.maxQueue;
    const { info, warning, critical } = thresholds.poolQueue;
    if (fill >= info) {
      add(
        'POOL_QUEUE_NEAR_FULL',
        fill >= critical ? 'critical' : fill >= warning ? 'warning' : 'info',
        `${state.pending} reads wait for a connection, ${Math.round(fill * 100)}% of readers.maxQueue (${state.maxQueue})`,
        state.pending,
        state.maxQueue,
      );
    }
  }

  return alerts
    .filter((alert) => RANK[alert.severity] >= RANK[minimum])
    .sort((a, b) => RANK[b.severity] - RANK[a.severity]);
}

function ms(value: number): string {
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
