import type { CheckpointMode, CheckpointResult } from './checkpoint/result.js';
import { Histogram, type HistogramSnapshot } from './histogram.js';
import { OperationHistograms } from './operation-histograms.js';
import type { SchedulerStats } from './scheduler.js';
import type { WalSample } from './wal-sample.js';

export type CheckpointOutcome = 'complete' | 'busy' | 'error';

export interface PoolStats {
  mode: 'inline' | 'worker';
  /** Connections by state, as OpenTelemetry's `db.client.connection.count`. */
  connections: { idle: number; used: number };
  /** `db.client.connection.max`. */
  max: number;
  /** Reads waiting for a connection (`db.client.connection.pending_requests`). */
  pending: number;
  /** Time from `read()` to a connection taking it (`db.client.connection.wait_time`). */
  waitTimeMs: HistogramSnapshot;
  /** Time a connection spent on a read (`db.client.connection.use_time`). */
  useTimeMs: HistogramSnapshot;
  /** Reads that timed out waiting or running (`db.client.connection.timeouts`). */
  timeouts: number;
  aborted: number;
  crashes: number;
  paused: boolean;
}

export interface WalkeeperStats {
  writes: {
    count: number;
    errors: number;
    busyRetries: number;
    /** Commits that found the -wal at the strategy's cap and waited for a running checkpoint. */
    heldAtCap: number;
    /** How long those commits waited. */
    heldAtCapMs: HistogramSnapshot;
    latencyMs: HistogramSnapshot;
    /** `batch()`: group commits. */
    batches: {
      groups: number;
      failedGroups: number;
      /** Members rejected on their own (their savepoint rolled back, the group committed). */
      failedMembers: number;
      /** Members per committed group. */
      groupSize: HistogramSnapshot;
      /** From `batch()` to its group starting. */
      queueWaitMs: HistogramSnapshot;
      /** The COMMIT alone (where `synchronous` waits for the disk). */
      commitMs: HistogramSnapshot;
    };
    /** `transaction()`: async transactions holding the writer. */
    transactions: {
      committed: number;
      rolledBack: number;
      timeouts: number;
      /** From `transaction()` to BEGIN IMMEDIATE. */
      queueWaitMs: HistogramSnapshot;
      /** From BEGIN IMMEDIATE to COMMIT or ROLLBACK. */
      durationMs: HistogramSnapshot;
    };
  };
  reads: { count: number; errors: number; latencyMs: HistogramSnapshot };
  pool: PoolStats;
  wal: WalSample & { capBytes: number; pageSize: number };
  checkpoints: {
    count: number;
    byMode: Record<CheckpointMode, Record<CheckpointOutcome, number>>;
    busyStreak: number;
    resetBusyStreak: number;
    last: CheckpointResult | undefined;
    lastAt: number | undefined;
    lastCompleteAt: number | undefined;
    durationMs: HistogramSnapshot;
  };
  /** The checkpoint scheduler, when a strategy plugin is registered. */
  scheduler: SchedulerStats | undefined;
  database: { bytes: number; sqliteVersion: string; journalMode: string };
  plugins: { names: string[]; hookErrors: number };
  uptimeMs: number;
}

function outcomes(): Record<CheckpointOutcome, number> {
  return { complete: 0, busy: 0, error: 0 };
}

/** A checkpoint that ran and returned: errors have no duration worth keeping. */
export type TimedCheckpointOutcome = Exclude<CheckpointOutcome, 'error'>;

function durations(): Record<TimedCheckpointOutcome, Histogram> {
  return { complete: new Histogram(), busy: new Histogram() };
}

/**
 * In-process instruments. Counters are plain fields so the hot path pays an increment;
 * histograms are kept per attribute set an exporter reports (operation kind and failure,
 * checkpoint mode and outcome), so nothing is timed or bucketed twice.
 */
export class Metrics {
  /** Operation latency by kind, read operation and failure name. */
  readonly operations = new OperationHistograms();
  writes = 0;
  writeErrors = 0;
  busyRetries = 0;
  writeHolds = 0;
  readonly writeHoldLatency = new Histogram();
  /** Committed write transactions: the success series of `operations`. */
  readonly writeLatency = this.operations.succeeded('write', undefined);
  readonly batches = {
    groups: 0,
    failedGroups: 0,
    failedMembers: 0,
    groupSize: new Histogram(),
    queueWait: new Histogram(),
    commit: new Histogram(),
  };
  readonly transactions = {
    committed: 0,
    rolledBack: 0,
    timeouts: 0,
    queueWait: new Histogram(),
    duration: new Histogram(),
  };
  reads = 0;
  readErrors = 0;
  /**
   * Time every prepared read, not one in 16: an exporter of these histograms promises exact
   * counts, sums, minima and maxima (`liveHistogramsOf()` sets it).
   */
  timeEveryRead = false;
  /** From `read()` to a connection taking the read, for every pooled read that ran. */
  readonly poolWaitTime = new Histogram();
  /** Time a connection spent on a pooled read. */
  readonly poolUseTime = new Histogram();
  hookErrors = 0;
  /** Since when writes and checkpoints meet a full disk (SQLITE_FULL); undefined once one succeeds. */
  diskFullSince: number | undefined;

  /** Notes a failure's code and a success: a full disk lasts from the first to the next success. */
  noteDiskOutcome(error: unknown): void {
    if (error === undefined) this.diskFullSince = undefined;
    else if ((error as { code?: unknown }).code === 'E_DISK_FULL')
      this.diskFullSince ??= Date.now();
  }

  checkpoints = 0;
  readonly checkpointByMode: Record<CheckpointMode, Record<CheckpointOutcome, number>> = {
    PASSIVE: outcomes(),
    FULL: outcomes(),
    RESTART: outcomes(),
    TRUNCATE: outcomes(),
  };
  busyStreak = 0;
  /** Consecutive busy resets (RESTART, TRUNCATE, FULL): a PASSIVE success does not clear it. */
  resetBusyStreak = 0;
  lastResetAt: number | undefined;
  lastCheckpoint: CheckpointResult | undefined;
  lastCheckpointAt: number | undefined;
  lastCompleteCheckpointAt: number | undefined;
  readonly checkpointDurationByMode: Record<
    CheckpointMode,
    Record<TimedCheckpointOutcome, Histogram>
  > = {
    PASSIVE: durations(),
    FULL: durations(),
    RESTART: durations(),
    TRUNCATE: durations(),
  };

  readonly openedAt = Date.now();

  /** Every read's latency, failures included (`stats().reads.latencyMs`). */
  get readLatency(): Histogram {
    return this.operations.merged('read');
  }

  /** A top-level write transaction that failed: counted, and timed under its failure's name. */
  recordWriteFailure(durationMs: number, error: unknown): void {
    this.writeErrors++;
    this.operations.recordFailure('write', undefined, durationMs, error);
  }

  recordCheckpoint(result: CheckpointResult): void {
    const outcome: TimedCheckpointOutcome = result.busy ? 'busy' : 'complete';
    this.checkpoints++;
    this.checkpointByMode[result.mode][outcome]++;
    this.checkpointDurationByMode[result.mode][outcome].record(result.durationMs);
    this.lastCheckpoint = result;
    this.lastCheckpointAt = Date.now();
    if (result.mode !== 'PASSIVE') {
      this.lastResetAt = this.lastCheckpointAt;
      this.resetBusyStreak = result.busy ? this.resetBusyStreak + 1 : 0;
    }
    if (result.busy) this.busyStreak++;
    else {
      this.busyStreak = 0;
      this.lastCompleteCheckpointAt = this.lastCheckpointAt;
    }
  }

  recordCheckpointError(mode: CheckpointMode): void {
    this.checkpoints++;
    this.checkpointByMode[mode].error++;
    this.busyStreak++;
    this.lastCheckpointAt = Date.now();
    if (mode !== 'PASSIVE') {
      this.lastResetAt = this.lastCheckpointAt;
      this.resetBusyStreak++;
    }
  }

  checkpointSnapshot(): WalkeeperStats['checkpoints'] {
    const byMode = {} as Record<CheckpointMode, Record<CheckpointOutcome, number>>;
    for (const [mode, counts] of Object.entries(this.checkpointByMode)) {
      byMode[mode as CheckpointMode] = { ...counts };
    }
    return {
      count: this.checkpoints,
      byMode,
      busyStreak: this.busyStreak,
      resetBusyStreak: this.resetBusyStreak,
      last: this.lastCheckpoint,
      lastAt: this.lastCheckpointAt,
      lastCompleteAt: this.lastCompleteCheckpointAt,
      durationMs: this.#checkpointDuration().snapshot(),
    };
  }

  #checkpointDuration(): Histogram {
    const merged = new Histogram();
    for (const byOutcome of Object.values(this.checkpointDurationByMode)) {
      merged.add(byOutcome.complete);
      merged.add(byOutcome.busy);
    }
    return merged;
  }
}
