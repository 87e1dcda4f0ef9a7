import {
  assessHealth,
  type HealthInput,
  type HealthReport,
  type HealthThresholds,
} from './health.js';
import type { Metrics, PoolStats, WalkeeperStats } from './metrics.js';
import type { WalkeeperCore } from './open-walkeeper.js';
import type { ReadPool } from './read-pool.js';
import type { CheckpointScheduler } from './scheduler.js';
import type { WalSampler } from './wal-sampler.js';

/** What `stats()` and `health()` are assembled from: cached samples and counters only. */
export interface StatsSources {
  metrics: Metrics;
  sampler: WalSampler;
  pool: ReadPool | undefined;
  scheduler: CheckpointScheduler | undefined;
  readers: { mode: 'inline' | 'worker'; size: number };
  pageSize: number;
  sqliteVersion: string;
  journalMode: string;
  pluginNames: string[];
  health: Omit<HealthThresholds, 'walCapBytes'> & { walCapBytes: number };
  transactionOpenMs: number;
  transactionBudgetMs: number;
}

/** The sources of one walkeeper's rooms. */
export function statsSources(core: WalkeeperCore): StatsSources {
  return {
    metrics: core.metrics,
    sampler: core.sampler,
    pool: core.pool,
    scheduler: core.scheduler,
    readers: core.options.readers,
    pageSize: core.pageSize,
    sqliteVersion: core.sqliteVersion,
    journalMode: core.journalMode,
    pluginNames: core.hooks.pluginNames,
    health: core.options.health,
    transactionOpenMs: core.writeQueue.transactionOpenMs,
    transactionBudgetMs: core.options.checkpoint.maxStallMs,
  };
}

/** Litestream's default `max-checkpoint-page-count`: past it, it forces a checkpoint. */
const LITESTREAM_MAX_CHECKPOINT_PAGES = 10_000;

/**
 * The WAL size health compares against: beside Litestream, what Litestream's checkpoints
 * should keep it under; else the strategy's cap where it promises one, else `health.walCapBytes`.
 */
export function walCapBytes(sources: StatsSources): number {
  if (sources.scheduler?.owner === 'litestream')
    return LITESTREAM_MAX_CHECKPOINT_PAGES * (sources.pageSize + 24) + 32;
  return sources.scheduler?.strategy.capBytes ?? sources.health.walCapBytes;
}

/** A snapshot of every instrument. Cheap: it reads cached samples, never the disk. */
export function buildStats(sources: StatsSources): WalkeeperStats {
  const m = sources.metrics;
  return {
    writes: {
      count: m.writes,
      errors: m.writeErrors,
      busyRetries: m.busyRetries,
      heldAtCap: m.writeHolds,
      heldAtCapMs: m.writeHoldLatency.snapshot(),
      latencyMs: m.writeLatency.snapshot(),
      batches: {
        groups: m.batches.groups,
        failedGroups: m.batches.failedGroups,
        failedMembers: m.batches.failedMembers,
        groupSize: m.batches.groupSize.snapshot(),
        queueWaitMs: m.batches.queueWait.snapshot(),
        commitMs: m.batches.commit.snapshot(),
      },
      transactions: {
        committed: m.transactions.committed,
        rolledBack: m.transactions.rolledBack,
        timeouts: m.transactions.timeouts,
        queueWaitMs: m.transactions.queueWait.snapshot(),
        durationMs: m.transactions.duration.snapshot(),
      },
    },
    reads: { count: m.reads, errors: m.readErrors, latencyMs: m.readLatency.snapshot() },
    pool: sources.pool?.stats() ?? emptyPoolStats(sources.readers.mode, sources.readers.size),
    wal: { ...sources.sampler.latest, capBytes: walCapBytes(sources), pageSize: sources.pageSize },
    scheduler: sources.scheduler?.stats(),
    checkpoints: m.checkpointSnapshot(),
    database: {
      bytes: sources.sampler.databaseBytes,
      sqliteVersion: sources.sqliteVersion,
      journalMode: sources.journalMode,
    },
    plugins: { names: sources.pluginNames, hookErrors: m.hookErrors },
    uptimeMs: Date.now() - m.openedAt,
  };
}

/** `ok`, `degraded` or `critical`, with the reasons, from the cached sample and the counters. */
export function buildHealth(sources: StatsSources): HealthReport {
  const m = sources.metrics;
  const sample = sources.sampler.latest;
  return assessHealth(
    {
      now: Date.now(),
      walBytes: sample.walBytes,
      frames: sample.frames,
      backfilledFrames: sample.backfilledFrames,
      busyStreak: Math.max(m.busyStreak, m.resetBusyStreak),
      lastCompleteCheckpointAt: m.lastCompleteCheckpointAt,
      openedAt: m.openedAt,
      journalMode: sources.journalMode,
      sqliteVersion: sources.sqliteVersion,
      readerCrashes: sources.pool?.stats().crashes ?? 0,
      checkpointsHandedBack: sources.scheduler?.stats().watchdogEngaged ?? false,
      checkpointOwner: sources.scheduler?.owner ?? 'sqlite',
      ...(m.diskFullSince === undefined ? {} : { diskFullSince: m.diskFullSince }),
      transactionOpenMs: sources.transactionOpenMs,
      transactionBudgetMs: sources.transactionBudgetMs,
      pin: pinOf(sources),
    },
    { ...sources.health, walCapBytes: walCapBytes(sources) },
  );
}

function pinOf(sources: StatsSources): HealthInput['pin'] {
  const pin = sources.scheduler?.pin();
  return pin && { frames: pin.frames, forMs: pin.forMs, pageSize: sources.pageSize };
}

function emptyPoolStats(mode: 'inline' | 'worker', size: number): PoolStats {
  const empty = { count: 0, sumMs: 0, minMs: 0, maxMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 };
  return {
    mode,
    connections: { idle: 0, used: 0 },
    max: size,
    pending: 0,
    waitTimeMs: empty,
    useTimeMs: { ...empty },
    timeouts: 0,
    aborted: 0,
    crashes: 0,
    paused: false,
  };
}
