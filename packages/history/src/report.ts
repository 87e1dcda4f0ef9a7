import type { CheckpointMode } from '@walkeeper/core';
import { type LatencySummary, mergeLatency } from './latency.js';
import type { HistorySample } from './sample.js';

export interface ReportOptions {
  /** How far back the report looks. Default 1. */
  hours?: number;
}

export interface CheckpointSummary {
  complete: number;
  busy: number;
  error: number;
  /** Durations of the checkpoints that ran (complete or busy). */
  durationMs: { mean: number; max: number };
}

/** An interval's latencies without the buckets they were computed from. */
export type LatencyReport = Omit<LatencySummary, 'buckets'>;

/** A run of samples in which the WAL kept growing and no checkpoint could reset it. */
export interface StarvationEpisode {
  from: number;
  to: number;
  durationMs: number;
  walBytesStart: number;
  walBytesPeak: number;
  /** Busy or failed checkpoints during the episode. */
  busyCheckpoints: number;
}

export interface HistoryReport {
  from: number;
  to: number;
  hours: number;
  samples: number;
  wal: { minBytes: number; p50Bytes: number; maxBytes: number; lastBytes: number };
  checkpoints: {
    total: number;
    byMode: Partial<Record<CheckpointMode, CheckpointSummary>>;
  };
  latency: { reads: LatencyReport; writes: LatencyReport };
  /** The calendar minute with the most queries, by the start of each sample's interval. */
  busiestMinute: { at: number; queries: number; reads: number; writes: number } | undefined;
  starvation: StarvationEpisode[];
  busy: { checkpoints: number; writeRetries: number };
  pool: { maxUsed: number; maxPending: number; timeouts: number; crashes: number };
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Summarises the samples of the last `hours` before `now`: the WAL's size, checkpoints by mode
 * and outcome, latency percentiles over all the intervals' queries, the busiest minute, and
 * starvation episodes (two or more consecutive samples in which the WAL file grew while
 * checkpoints were busy, failing, or none completed).
 */
export function buildReport(
  all: readonly HistorySample[],
  now: number,
  options: ReportOptions = {},
): HistoryReport {
  const hours = options.hours ?? 1;
  if (!(hours > 0)) throw new RangeError(`report({ hours }) takes a positive number, got ${hours}`);
  const from = now - hours * HOUR_MS;
  const samples = all.filter((s) => s.at > from && s.at <= now);

  const walBytes = samples.map((s) => s.wal.bytes).sort((a, b) => a - b);
  const byMode: Partial<
    Record<CheckpointMode, CheckpointSummary & { totalMs: number; ran: number }>
  > = {};
  let total = 0;
  for (const sample of samples) {
    for (const tally of sample.checkpoints) {
      let entry = byMode[tally.mode];
      if (entry === undefined) {
        entry = {
          complete: 0,
          busy: 0,
          error: 0,
          durationMs: { mean: 0, max: 0 },
          totalMs: 0,
          ran: 0,
        };
        byMode[tally.mode] = entry;
      }
      entry[tally.outcome] += tally.count;
      total += tally.count;
      if (tally.outcome !== 'error') {
        entry.totalMs += tally.totalMs;
        entry.ran += tally.count;
        entry.durationMs.max = Math.max(entry.durationMs.max, tally.maxMs);
      }
    }
  }
  const checkpointsByMode: Partial<Record<CheckpointMode, CheckpointSummary>> = {};
  for (const [mode, { totalMs, ran, ...summary }] of Object.entries(byMode)) {
    checkpointsByMode[mode as CheckpointMode] = {
      ...summary,
      durationMs: { mean: ran === 0 ? 0 : totalMs / ran, max: summary.durationMs.max },
    };
  }

  return {
    from,
    to: now,
    hours,
    samples: samples.length,
    wal: {
      minBytes: walBytes[0] ?? 0,
      p50Bytes: walBytes.length === 0 ? 0 : walBytes[Math.ceil(walBytes.length / 2) - 1]!,
      maxBytes: walBytes.at(-1) ?? 0,
      lastBytes: samples.at(-1)?.wal.bytes ?? 0,
    },
    checkpoints: { total, byMode: checkpointsByMode },
    latency: {
      reads: latencyReport(mergeLatency(samples.map((s) => s.reads))),
      writes: latencyReport(mergeLatency(samples.map((s) => s.writes))),
    },
    busiestMinute: busiestMinute(samples),
    starvation: starvation(samples),
    busy: {
      checkpoints: sum(samples, (s) => s.busy.checkpoints),
      writeRetries: sum(samples, (s) => s.busy.writeRetries),
    },
    pool: {
      maxUsed: Math.max(0, ...samples.map((s) => s.pool.used)),
      maxPending: Math.max(0, ...samples.map((s) => s.pool.pending)),
      timeouts: sum(samples, (s) => s.pool.timeouts),
      crashes: sum(samples, (s) => s.pool.crashes),
    },
  };
}

function latencyReport({ buckets: _buckets, ...rest }: LatencySummary): LatencyReport {
  return rest;
}

function sum(samples: readonly HistorySample[], pick: (s: HistorySample) => number): number {
  let total = 0;
  for (const sample of samples) total += pick(sample);
  return total;
}

function busiestMinute(samples: readonly HistorySample[]): HistoryReport['busiestMinute'] {
  const minutes = new Map<number, { at: number; queries: number; reads: number; writes: number }>();
  for (const sample of samples) {
    const at = Math.floor((sample.at - sample.intervalMs) / MINUTE_MS) * MINUTE_MS;
    const minute = minutes.get(at) ?? { at, queries: 0, reads: 0, writes: 0 };
    minute.reads += sample.reads.count;
    minute.writes += sample.writes.count;
    minute.queries = minute.reads + minute.writes;
    minutes.set(at, minute);
  }
  let best: HistoryReport['busiestMinute'];
  for (const minute of minutes.values()) {
    if (minute.queries > 0 && (best === undefined || minute.queries > best.queries)) best = minute;
  }
  return best;
}

function starvation(samples: readonly HistorySample[]): StarvationEpisode[] {
  const episodes: StarvationEpisode[] = [];
  let run: HistorySample[] = [];
  let before: HistorySample | undefined;
  const close = () => {
    if (run.length >= 2 && before !== undefined) {
      episodes.push({
        from: run[0]!.at - run[0]!.intervalMs,
        to: run.at(-1)!.at,
        durationMs: run.at(-1)!.at - (run[0]!.at - run[0]!.intervalMs),
        walBytesStart: before.wal.bytes,
        walBytesPeak: Math.max(...run.map((s) => s.wal.bytes)),
        busyCheckpoints: sum(run, (s) => s.busy.checkpoints),
      });
    }
    run = [];
  };
  let previous: HistorySample | undefined;
  for (const sample of samples) {
    const starving =
      previous !== undefined &&
      sample.wal.bytes > previous.wal.bytes &&
      (sample.busyStreak > 0 ||
        !sample.checkpoints.some((c) => c.outcome === 'complete' && c.count > 0));
    if (starving) {
      if (run.length === 0) before = previous;
      run.push(sample);
    } else {
      close();
    }
    previous = sample;
  }
  close();
  return episodes;
}
