import { compareVersions } from './wal-sample.js';

export type HealthStatus = 'ok' | 'degraded' | 'critical';

export interface HealthReason {
  code:
    | 'WAL_OVER_CAP'
    | 'CHECKPOINT_BUSY_STREAK'
    | 'CHECKPOINT_STALE'
    | 'JOURNAL_MODE_NOT_WAL'
    | 'SQLITE_WAL_RESET_BUG'
    | 'READER_CRASHES'
    | 'CHECKPOINTS_HANDED_BACK'
    | 'TRANSACTION_HOLDS_WRITER'
    | 'DISK_FULL'
    | 'WAL_PINNED_BY_READER';
  severity: Exclude<HealthStatus, 'ok'>;
  message: string;
}

export interface HealthReport {
  status: HealthStatus;
  reasons: HealthReason[];
  checkedAt: number;
  /**
   * Who checkpoints the database: `walkeeper` (its strategy), `sqlite` (SQLite's own
   * autocheckpoint: no strategy, or the watchdog took over) or `litestream` (walkeeper
   * observes and never resets the WAL). Absent where the caller did not say.
   */
  checkpointOwner?: 'walkeeper' | 'sqlite' | 'litestream';
}

export interface HealthThresholds {
  /** WAL bytes above which the WAL is over its cap (degraded), and twice that (critical). */
  walCapBytes: number;
  /** Consecutive busy checkpoints that make health degraded; three times that is critical. */
  busyStreak: number;
  /** A WAL with unbackfilled frames and no complete checkpoint for this long is degraded. */
  maxCheckpointAgeMs: number;
}

export interface HealthInput {
  now: number;
  walBytes: number;
  frames: number;
  backfilledFrames: number;
  busyStreak: number;
  lastCompleteCheckpointAt: number | undefined;
  openedAt: number;
  journalMode: string;
  sqliteVersion: string;
  readerCrashes: number;
  /** The scheduler stopped or its strategy kept failing: SQLite's autocheckpoint is back on. */
  checkpointsHandedBack: boolean;
  checkpointOwner?: HealthReport['checkpointOwner'];
  /** Since when writes meet a full disk (`Date.now()`); absent when the last one succeeded. */
  diskFullSince?: number;
  /** How long an async `transaction()` has held the writer (0 or absent when none is open). */
  transactionOpenMs?: number;
  /** Past this, an open transaction is why checkpoints wait (`checkpoint.maxStallMs`). */
  transactionBudgetMs?: number;
  /** A reader's snapshot stops backfill: the frames past it and since when (see `PIN_REPORT_MS`). */
  pin?: { frames: number; forMs: number; pageSize: number } | undefined;
}

/**
 * A pin shorter than this is an ordinary read overlapping a checkpoint; longer, a reader that
 * holds one snapshot (a backup, Litestream, a `sqlite3` shell left inside a transaction).
 */
export const PIN_REPORT_MS = 1000;
/** Pinned with the WAL past this share of its cap (the emergency size) is critical. */
const PIN_CRITICAL_SHARE = 0.75;

/** The first SQLite release with the fix for the WAL-reset database corruption bug. */
export const WAL_RESET_FIX_VERSION = '3.51.3';

/** A pure verdict over a snapshot: the CLI, the dashboard and alerts share it. */
export function assessHealth(input: HealthInput, thresholds: HealthThresholds): HealthReport {
  const reasons: HealthReason[] = [];
  if (input.journalMode !== 'wal') {
    reasons.push({
      code: 'JOURNAL_MODE_NOT_WAL',
      severity: 'critical',
      message: `journal_mode is ${input.journalMode}, not wal`,
    });
  }
  if (input.walBytes > thresholds.walCapBytes) {
    const critical = input.walBytes > 2 * thresholds.walCapBytes;
    reasons.push({
      code: 'WAL_OVER_CAP',
      severity: critical ? 'critical' : 'degraded',
      message:
        input.checkpointOwner === 'litestream'
          ? `WAL is ${mib(input.walBytes)} MiB, past the ${mib(thresholds.walCapBytes)} MiB Litestream's checkpoints should keep it under (its max-checkpoint-page-count): is Litestream running?`
          : `WAL is ${mib(input.walBytes)} MiB, over its cap of ${mib(thresholds.walCapBytes)} MiB`,
    });
  }
  if (input.busyStreak >= thresholds.busyStreak) {
    reasons.push({
      code: 'CHECKPOINT_BUSY_STREAK',
      severity: input.busyStreak >= 3 * thresholds.busyStreak ? 'critical' : 'degraded',
      message: `the last ${input.busyStreak} checkpoints could not finish (busy)`,
    });
  }
  const since = input.lastCompleteCheckpointAt ?? input.openedAt;
  if (input.frames > input.backfilledFrames && input.now - since > thresholds.maxCheckpointAgeMs) {
    reasons.push({
      code: 'CHECKPOINT_STALE',
      severity: 'degraded',
      message: `no complete checkpoint for ${Math.round((input.now - since) / 1000)} s while the WAL holds ${input.frames - input.backfilledFrames} unbackfilled frames`,
    });
  }
  const pin = input.pin;
  if (pin !== undefined && pin.frames > 0 && pin.forMs >= PIN_REPORT_MS) {
    const critical = input.walBytes >= PIN_CRITICAL_SHARE * thresholds.walCapBytes;
    reasons.push({
      code: 'WAL_PINNED_BY_READER',
      severity: critical ? 'critical' : 'degraded',
      message: `a reader's snapshot has pinned the WAL for ${Math.round(pin.forMs / 1000)} s: ${pin.frames} frames (${mib(pin.frames * (pin.pageSize + 24))} MiB) cannot be backfilled until it ends its transaction; the WAL is ${mib(input.walBytes)} MiB of a ${mib(thresholds.walCapBytes)} MiB cap`,
    });
  }
  if (compareVersions(input.sqliteVersion, WAL_RESET_FIX_VERSION) < 0) {
    reasons.push({
      code: 'SQLITE_WAL_RESET_BUG',
      severity: 'degraded',
      message: `SQLite ${input.sqliteVersion} is older than ${WAL_RESET_FIX_VERSION} and has the WAL-reset bug; upgrade the driver`,
    });
  }
  if (input.readerCrashes > 0) {
    reasons.push({
      code: 'READER_CRASHES',
      severity: 'degraded',
      message: `${input.readerCrashes} reader worker(s) crashed and were replaced`,
    });
  }
  if (input.checkpointsHandedBack) {
    reasons.push({
      code: 'CHECKPOINTS_HANDED_BACK',
      severity: 'degraded',
      message: "the checkpoint scheduler is not running; SQLite's autocheckpoint has taken over",
    });
  }
  if (input.diskFullSince !== undefined) {
    reasons.push({
      code: 'DISK_FULL',
      severity: 'critical',
      message: `the disk is full: writes have failed with SQLITE_FULL for ${Math.round((input.now - input.diskFullSince) / 1000)} s (nothing of them was kept); free space and writes resume`,
    });
  }
  const { transactionOpenMs = 0, transactionBudgetMs = Number.POSITIVE_INFINITY } = input;
  if (transactionOpenMs > transactionBudgetMs) {
    reasons.push({
      code: 'TRANSACTION_HOLDS_WRITER',
      severity: 'degraded',
      message: `a transaction() has held the writer for ${Math.round(transactionOpenMs)} ms, past the ${transactionBudgetMs} ms stall budget: checkpoints that reset the WAL wait for it, so the WAL grows`,
    });
  }
  const status: HealthStatus = reasons.some((r) => r.severity === 'critical')
    ? 'critical'
    : reasons.length > 0
      ? 'degraded'
      : 'ok';
  return {
    status,
    reasons,
    checkedAt: input.now,
    ...(input.checkpointOwner === undefined ? {} : { checkpointOwner: input.checkpointOwner }),
  };
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
