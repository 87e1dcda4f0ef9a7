import type {
  CheckpointDecision,
  CheckpointResult,
  CheckpointStrategy,
  WalState,
} from '@walkeeper/core';

export const MiB = 2 ** 20;

/**
 * A model of the WAL and of walkeeper's scheduler for deterministic tests: a fake clock,
 * frames written at a rate, PASSIVE that backfills all but what readers' snapshots pin, and
 * resets that fail (busy) while an outside reader holds the log.
 */
export class WalModel {
  readonly pageSize = 4096;
  now = 0;
  frames = 0;
  backfilled = 0;
  walBytes = 0;
  busyStreak = 0;
  resetBusyStreak = 0;
  lastResetAt = Number.NEGATIVE_INFINITY;
  lastResult: CheckpointResult | undefined;
  lastResultAt = Number.NEGATIVE_INFINITY;
  lastCompleteAt = Number.NEGATIVE_INFINITY;
  lastWriteAt = Number.NEGATIVE_INFINITY;
  readsInFlight = 0;
  /** Frames at the tail that walkeeper's readers pin: PASSIVE cannot copy them yet. */
  pinnedByReaders = 0;
  /** A reader in another process: resets come back busy while it is there. */
  outsideReader = false;
  /**
   * A reader in another process holding one snapshot (a `sqlite3` shell inside a
   * transaction): PASSIVE copies up to this frame and no further, resets are busy, and the
   * log never restarts. Set it with `pin()`, clear it with `unpin()`.
   */
  snapshot: number | undefined;
  /** The scheduler's bookkeeping of progress, as the checkpoint coordinator keeps it. */
  stalledStreak = 0;
  pinnedAt: { frame: number; since: number } | undefined;
  #lastCounts: { log: number; checkpointed: number } | undefined;
  peakWalBytes = 0;
  readonly decisions: CheckpointDecision[] = [];

  get frameBytes(): number {
    return this.pageSize + 24;
  }

  write(frames: number): void {
    // SQLite restarts a fully backfilled log on the next write when no reader is inside it.
    if (
      this.frames > 0 &&
      this.backfilled === this.frames &&
      this.pinnedByReaders === 0 &&
      !this.outsideReader &&
      this.snapshot === undefined
    ) {
      this.frames = 0;
      this.backfilled = 0;
    }
    this.frames += frames;
    this.walBytes = Math.max(this.walBytes, 32 + this.frames * this.frameBytes);
    this.peakWalBytes = Math.max(this.peakWalBytes, this.walBytes);
    this.lastWriteAt = this.now;
  }

  state(): WalState {
    return {
      now: this.now,
      walBytes: this.walBytes,
      logBytes: this.frames === 0 ? 0 : 32 + this.frames * this.frameBytes,
      frames: this.frames,
      backfilledFrames: this.backfilled,
      pageSize: this.pageSize,
      lastResult: this.lastResult,
      lastResultAgeMs: this.now - this.lastResultAt,
      lastCompleteAgeMs: this.now - this.lastCompleteAt,
      busyStreak: this.busyStreak,
      resetBusyStreak: this.resetBusyStreak,
      lastResetAgeMs: this.now - this.lastResetAt,
      msSinceLastWrite: this.now - this.lastWriteAt,
      writeRate: 0,
      readsInFlight: this.readsInFlight,
      stalledStreak: this.stalledStreak,
      pinnedFrames: this.pinnedAt ? Math.max(0, this.frames - this.pinnedAt.frame) : 0,
      pinnedForMs: this.pinnedAt ? this.now - this.pinnedAt.since : 0,
    };
  }

  /** The outside reader begins its transaction: its snapshot is the log as it is now. */
  pin(): void {
    this.snapshot = this.frames;
  }

  /** The outside reader commits; the scheduler sees its read mark change and clears the stall. */
  unpin(): void {
    this.snapshot = undefined;
    this.stalledStreak = 0;
  }

  apply(decision: CheckpointDecision): CheckpointResult {
    this.decisions.push(decision);
    const before = this.walBytes;
    let busy = false;
    const limit = Math.min(this.frames - this.pinnedByReaders, this.snapshot ?? this.frames);
    if (decision.mode === 'PASSIVE') {
      // PASSIVE copies what no reader pins and reports success: busy is for a lock it could not get.
      this.backfilled = Math.max(this.backfilled, limit);
    } else if (this.snapshot !== undefined) {
      this.backfilled = Math.max(this.backfilled, limit);
      busy = true;
    } else if (this.outsideReader) {
      // The barrier clears walkeeper's readers, but not another process's.
      this.backfilled = this.frames;
      busy = true;
    } else {
      this.frames = 0;
      this.backfilled = 0;
      if (decision.mode === 'TRUNCATE') this.walBytes = 0;
    }
    const result: CheckpointResult = {
      mode: decision.mode,
      busy,
      logFrames: this.frames,
      checkpointedFrames: this.backfilled,
      durationMs: 1,
      walBytesBefore: before,
      walBytesAfter: this.walBytes,
    };
    this.lastResult = result;
    this.lastResultAt = this.now;
    this.#recordProgress(result);
    if (decision.mode !== 'PASSIVE') {
      this.lastResetAt = this.now;
      this.resetBusyStreak = busy ? this.resetBusyStreak + 1 : 0;
    }
    if (busy) this.busyStreak++;
    else {
      this.busyStreak = 0;
      this.lastCompleteAt = this.now;
    }
    return result;
  }

  /** As `CheckpointProgress.record` does: a checkpoint no further than the last one stalls. */
  #recordProgress({ logFrames: log, checkpointedFrames: checkpointed }: CheckpointResult): void {
    const last = this.#lastCounts;
    this.#lastCounts = { log, checkpointed };
    if (checkpointed >= log) {
      this.stalledStreak = 0;
      this.pinnedAt = undefined;
      return;
    }
    const restarted = last !== undefined && log < last.log;
    const progressed = last === undefined || restarted || checkpointed > last.checkpointed;
    this.stalledStreak = progressed ? 0 : this.stalledStreak + 1;
    if (this.pinnedAt?.frame !== checkpointed || restarted)
      this.pinnedAt = { frame: checkpointed, since: this.now };
  }

  /** Runs `seconds` of simulated time: writes at `framesPerSecond`, asks every `tickMs`. */
  run(strategy: CheckpointStrategy, seconds: number, framesPerSecond: number, tickMs = 100): void {
    const end = this.now + seconds * 1000;
    while (this.now < end) {
      this.now += tickMs;
      if (framesPerSecond > 0) this.write(Math.round((framesPerSecond * tickMs) / 1000));
      const decision = strategy.decide(this.state());
      if (decision) this.apply(decision);
    }
  }
}
