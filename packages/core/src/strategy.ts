import type { CheckpointMode, CheckpointResult } from './checkpoint/result.js';

/** Everything a strategy may look at, as numbers: a strategy is a pure function of it. */
export interface WalState {
  /** Milliseconds on the scheduler's clock (monotonic in production, fake in tests). */
  now: number;
  /** Size of the -wal file on disk. */
  walBytes: number;
  /** Bytes of log in use since the last reset: frames x (page size + 24) + 32. */
  logBytes: number;
  frames: number;
  backfilledFrames: number;
  pageSize: number;
  lastResult: CheckpointResult | undefined;
  /** Since the last checkpoint finished (any outcome); Infinity before the first. */
  lastResultAgeMs: number;
  /** Since the last checkpoint that was not busy; Infinity before the first. */
  lastCompleteAgeMs: number;
  /** Consecutive busy (or failed) checkpoints of any mode. */
  busyStreak: number;
  /** Consecutive busy resets (RESTART, TRUNCATE, FULL); PASSIVE successes do not clear it. */
  resetBusyStreak: number;
  /** Since the last reset attempt; Infinity before the first. */
  lastResetAgeMs: number;
  /** Since the last committed write transaction; Infinity before the first. */
  msSinceLastWrite: number;
  /** Committed write transactions per second, smoothed over about a second. */
  writeRate: number;
  /** Reads running or waiting in walkeeper's pool. */
  readsInFlight: number;
  /**
   * Consecutive checkpoints that backfilled nothing new (the same backfilled-frame count as
   * the one before) while frames waited past a reader's snapshot. Another checkpoint cannot
   * do better until that reader moves on, so wait (`lastResultAgeMs`) before asking again.
   * Back to 0 after progress, a restart of the log, or when the pinning reader lets go.
   */
  stalledStreak: number;
  /**
   * Frames past the snapshot of a reader that stops backfill (walkeeper's or another
   * process's): no checkpoint can copy them while it stays. 0 when nothing pins the log.
   */
  pinnedFrames: number;
  /** Since checkpoints first stopped at that snapshot; 0 when nothing pins the log. */
  pinnedForMs: number;
}

export interface CheckpointDecision {
  mode: CheckpointMode;
  /** Why, in a few words: it reaches stats(), the hooks and the logs. */
  reason: string;
  /** Stall cap for RESTART, TRUNCATE and FULL; default is the manager's `checkpoint.maxStallMs`. */
  maxStallMs?: number;
}

export interface CheckpointStrategy {
  name: string;
  decide(state: WalState): CheckpointDecision | undefined;
  /**
   * WAL size this strategy promises to stay under; health reports the WAL over its cap past
   * it. Default: the manager's `health.walCapBytes`.
   */
  capBytes?: number;
  /**
   * Whether walkeeper owns checkpoints (true, the default): SQLite's autocheckpoint is turned
   * off and a watchdog turns it back on if the scheduler stops. A strategy for a WAL that
   * another process checkpoints (Litestream) says false and only observes.
   */
  ownsCheckpoints?: boolean;
}

const MODE_RANK: Record<CheckpointMode, number> = { PASSIVE: 0, FULL: 1, RESTART: 2, TRUNCATE: 3 };

/** The stronger of two decisions: the one whose mode does more. */
export function strongerDecision(
  a: CheckpointDecision | undefined,
  b: CheckpointDecision | undefined,
): CheckpointDecision | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return MODE_RANK[b.mode] > MODE_RANK[a.mode] ? b : a;
}

/**
 * One strategy from several: each is asked, and the stronger decision wins. The cap is the
 * smallest any of them promises, and checkpoints are owned if any of them owns them.
 */
export function composeStrategies(
  strategies: readonly CheckpointStrategy[],
  name?: string,
): CheckpointStrategy {
  if (strategies.length === 1 && name === undefined) return strategies[0]!;
  const caps = strategies.map((s) => s.capBytes).filter((cap): cap is number => cap !== undefined);
  return {
    name: name ?? strategies.map((s) => s.name).join('+'),
    decide(state) {
      let decision: CheckpointDecision | undefined;
      for (const strategy of strategies)
        decision = strongerDecision(decision, strategy.decide(state));
      return decision;
    },
    ...(caps.length > 0 ? { capBytes: Math.min(...caps) } : {}),
    ownsCheckpoints: strategies.some((s) => s.ownsCheckpoints !== false),
  };
}
