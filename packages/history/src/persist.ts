import type { Walkeeper, WriteTransaction } from '@walkeeper/core';
import { migrate } from '@walkeeper/migrations';
import type { CheckpointEvent } from './interval.js';
import type { SampleSink, SinkContext } from './metrics-history.js';
import { MONITORING_TABLE, monitoringMigrations, SAMPLE_TABLES } from './monitoring-schema.js';
import type { HistorySample } from './sample.js';

export interface PersistStats {
  /** Write transactions the history ran. */
  flushes: number;
  rows: number;
  /** Time spent inside those transactions on the writer, in total and the longest one. */
  totalMs: number;
  maxMs: number;
  /** Samples waiting for the next flush. */
  pending: number;
  /** Samples dropped because flushes kept failing and the buffer was full. */
  dropped: number;
}

export interface StoreOptions {
  flushEveryMs: number;
  retentionMs: number | undefined;
  /** Samples buffered at most while flushes fail. */
  maxPending: number;
}

const INSERT_QUERY = `INSERT INTO _walkeeper_query_performance
  (recorded_at, interval_ms, kind, count, errors, slow, p50_ms, p95_ms, p99_ms, max_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_WAL = `INSERT INTO _walkeeper_wal_metrics
  (recorded_at, wal_bytes, wal_frames, backfilled_frames, database_bytes, busy_streak)
  VALUES (?, ?, ?, ?, ?, ?)`;
const INSERT_CHECKPOINT = `INSERT INTO _walkeeper_checkpoints
  (recorded_at, mode, outcome, duration_ms, log_frames, checkpointed_frames, wal_bytes_before, wal_bytes_after)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_CONNECTIONS = `INSERT INTO _walkeeper_connection_metrics
  (recorded_at, pool_size, used, pending, max_pending, wait_p95_ms, timeouts, crashes)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_HEALTH = `INSERT INTO _walkeeper_system_health (recorded_at, status, reasons, sqlite_version)
  VALUES (?, ?, ?, ?)`;

/**
 * Persists samples into the monitoring schema, batched: samples wait in memory and go to disk
 * in one write transaction every `flushEveryMs` (and at close), so the watched database pays
 * one short `BEGIN IMMEDIATE` per flush. The schema's retention triggers delete old rows as new
 * ones arrive. Health rows are written when the status or its reasons change.
 */
export class SampleStore implements SampleSink {
  readonly #options: StoreOptions;
  #context: SinkContext | undefined;
  #pending: { sample: HistorySample; checkpoints: readonly CheckpointEvent[] }[] = [];
  #lastFlushAt: number | undefined;
  #lastHealth = '';
  #reportedFailure = false;
  readonly stats: PersistStats = {
    flushes: 0,
    rows: 0,
    totalMs: 0,
    maxMs: 0,
    pending: 0,
    dropped: 0,
  };

  constructor(options: StoreOptions) {
    this.#options = options;
  }

  async open(context: SinkContext): Promise<void> {
    const { walkeeper } = context;
    const result = await migrate(walkeeper, {
      migrations: monitoringMigrations,
      table: MONITORING_TABLE,
    });
    if (!result.ok) throw result.error;
    const retentionMs = this.#options.retentionMs;
    if (retentionMs !== undefined) {
      context.quietly(() =>
        walkeeper.write((tx) => {
          for (const table of SAMPLE_TABLES) {
            tx.run(
              'INSERT INTO _walkeeper_metrics_retention (table_name, keep_ms) VALUES (?, ?) ON CONFLICT (table_name) DO UPDATE SET keep_ms = excluded.keep_ms',
              [table, retentionMs],
            );
          }
        }),
      );
    }
    this.#context = context;
  }

  add(sample: HistorySample, checkpoints: readonly CheckpointEvent[]): void {
    this.#pending.push({ sample, checkpoints });
    if (this.#pending.length > this.#options.maxPending) {
      this.#pending.shift();
      this.stats.dropped++;
    }
    this.stats.pending = this.#pending.length;
    this.#lastFlushAt ??= sample.at - sample.intervalMs;
    if (sample.at - this.#lastFlushAt >= this.#options.flushEveryMs) this.flush();
  }

  close(): void {
    this.flush();
    this.#context = undefined;
  }

  /** Writes the waiting samples now, in one transaction. */
  flush(): void {
    const context = this.#context;
    if (context === undefined || this.#pending.length === 0) return;
    const batch = this.#pending;
    const started = performance.now();
    let rows = 0;
    try {
      rows = context.quietly(() =>
        context.walkeeper.write((tx) => this.#insert(tx, batch, context.walkeeper)),
      );
    } catch (error) {
      // The samples stay buffered (bounded) for the next flush; the first failure is reported.
      if (!this.#reportedFailure) {
        this.#reportedFailure = true;
        context.report(error);
      }
      return;
    }
    const elapsed = performance.now() - started;
    this.#pending = [];
    this.#lastFlushAt = batch.at(-1)!.sample.at;
    this.stats.flushes++;
    this.stats.rows += rows;
    this.stats.totalMs += elapsed;
    this.stats.maxMs = Math.max(this.stats.maxMs, elapsed);
    this.stats.pending = 0;
  }

  #insert(
    tx: WriteTransaction,
    batch: readonly { sample: HistorySample; checkpoints: readonly CheckpointEvent[] }[],
    walkeeper: Walkeeper,
  ): number {
    let rows = 0;
    for (const { sample: s, checkpoints } of batch) {
      for (const [kind, q] of [
        ['read', s.reads],
        ['write', s.writes],
      ] as const) {
        if (q.count === 0 && q.errors === 0) continue;
        tx.run(INSERT_QUERY, [
          s.at,
          s.intervalMs,
          kind,
          q.count,
          q.errors,
          q.slow,
          q.p50Ms,
          q.p95Ms,
          q.p99Ms,
          q.maxMs,
        ]);
        rows++;
      }
      tx.run(INSERT_WAL, [
        s.at,
        s.wal.bytes,
        s.wal.frames,
        s.wal.backfilledFrames,
        s.databaseBytes,
        s.busyStreak,
      ]);
      rows++;
      for (const c of checkpoints) {
        tx.run(INSERT_CHECKPOINT, [
          c.at,
          c.mode,
          c.outcome,
          c.durationMs,
          c.logFrames ?? null,
          c.checkpointedFrames ?? null,
          c.walBytesBefore ?? null,
          c.walBytesAfter ?? null,
        ]);
        rows++;
      }
      const p = s.pool;
      tx.run(INSERT_CONNECTIONS, [
        s.at,
        p.size,
        p.used,
        p.pending,
        p.maxQueue,
        p.waitP95Ms,
        p.timeouts,
        p.crashes,
      ]);
      rows++;
      const health = `${s.health.status} ${JSON.stringify(s.health.reasons)}`;
      if (health !== this.#lastHealth) {
        tx.run(INSERT_HEALTH, [
          s.at,
          s.health.status,
          JSON.stringify(s.health.reasons),
          walkeeper.sqliteVersion,
        ]);
        this.#lastHealth = health;
        rows++;
      }
    }
    return rows;
  }
}
