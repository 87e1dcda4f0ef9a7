import type { SqliteConnection } from '../driver.js';
import type { HookBus } from '../hook-bus.js';
import { writeError } from '../internal/sqlite-errors.js';
import type { Metrics } from '../metrics.js';
import type { ReadPool } from '../read-pool.js';
import { fileBytes } from '../wal-sample.js';
import type { WalSampler } from '../wal-sampler.js';
import { runCheckpoint, runCheckpointSync } from './attempt.js';
import type { Checkpointer } from './checkpointer.js';
import { CheckpointProgress } from './progress.js';
import {
  type CheckpointMode,
  type CheckpointResult,
  checkpointResult,
  waitsForReaders,
} from './result.js';

/** The most frames the committing writer copies after an off-thread PASSIVE (1 MiB). */
const RESIDUAL_MAX_FRAMES = 256;
/** Off-thread PASSIVEs in a row queued to shrink a residual too large for the writer. */
const MAX_RESIDUAL_FOLLOW_UPS = 2;

export interface CoordinatorServices {
  path: string;
  /** The writer connection: waiting modes run on it. */
  writer: SqliteConnection;
  busyTimeoutMs: number;
  /** The longest a commit may be held at the cap (`checkpoint.maxStallMs`). */
  maxStallMs: number;
  /** The read pool whose barrier waiting modes raise; undefined while opening. */
  pool(): ReadPool | undefined;
  /** Keeps async transactions off the writer while a checkpoint runs on it. */
  writerLease: { acquire(): Promise<void>; release(): void };
  /** The off-thread PASSIVE runner, when `checkpoint.offThread` is on. */
  checkpointer: Checkpointer | undefined;
  metrics: Metrics;
  sampler: WalSampler;
  hooks: HookBus;
}

/**
 * Every checkpoint goes through here. Queued checkpoints (`checkpoint()`, the scheduler,
 * `optimize()`) run one at a time in call order; a waiting mode raises the read pool's
 * barrier first, so it never waits on walkeeper's own readers. The one exception to the
 * queue is the reset run by the committing writer at the cap (`resetByCommittingWriter`),
 * which can only happen while a queued checkpoint is under way: it first waits out the
 * off-thread PASSIVE holding SQLite's checkpoint lock, so at SQLite's level the two still
 * run one after the other. Results are recorded, the WAL re-sampled, and `onCheckpoint`
 * hooks run after the barrier is lifted.
 */
export class CheckpointCoordinator {
  readonly #services: CoordinatorServices;
  #queue: Promise<unknown> = Promise.resolve();
  /** Queued checkpoints started and not finished. */
  #running = 0;
  /** When a commit last compared the -wal with the cap (at most once a millisecond). */
  #capCheckedAt = 0;
  /** An off-thread PASSIVE copied everything it saw: the next commit copies what came since. */
  #residualDue = false;
  /** Off-thread PASSIVEs queued in a row for a residual too large to copy on the writer. */
  #followUps = 0;
  /** Progress and the pin, from every result. */
  readonly progress = new CheckpointProgress();

  constructor(services: CoordinatorServices) {
    this.#services = services;
  }

  /** A scheduler will checkpoint soon: have the off-thread checkpointer ready by then. */
  warmUp(): void {
    this.#services.checkpointer?.warmUp();
  }

  /** Runs `task` after everything queued before it. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when everything queued so far has finished. */
  drain(): Promise<void> {
    return this.#queue.then(() => undefined);
  }

  checkpoint(mode: CheckpointMode, maxStallMs: number): Promise<CheckpointResult> {
    return this.exclusive(() => this.#run(mode, maxStallMs));
  }

  async #run(mode: CheckpointMode, maxStallMs: number): Promise<CheckpointResult> {
    const { checkpointer, metrics } = this.#services;
    const pool = waitsForReaders(mode) ? this.#services.pool() : undefined;
    this.#running++;
    let result: CheckpointResult;
    const behindBarrier = async <T>(task: () => Promise<T>): Promise<T> => {
      if (pool) await pool.pause();
      try {
        return await task();
      } finally {
        pool?.resume();
      }
    };
    try {
      result =
        mode === 'PASSIVE' && checkpointer && this.#offThreadReady(checkpointer)
          ? await this.#offThread(checkpointer)
          : await this.onWriterConnection(() =>
              behindBarrier(() => this.#onWriter(mode, maxStallMs)),
            );
    } catch (thrown) {
      metrics.recordCheckpointError(mode);
      // A checkpoint that copies frames into a database file that must grow meets a full disk too.
      const error = writeError(thrown, this.#services.path, 'checkpoint');
      metrics.noteDiskOutcome(error);
      throw error;
    } finally {
      this.#running--;
    }
    this.#finish(result);
    return result;
  }

  /**
   * A PASSIVE never waits for the checkpointer's thread to start (up to a second and more on
   * a loaded machine, while the log grows): until it answers, PASSIVE runs on the writer, as
   * SQLite's autocheckpoint would.
   */
  #offThreadReady(checkpointer: Checkpointer): boolean {
    if (checkpointer.ready) return true;
    checkpointer.warmUp();
    return false;
  }

  async #offThread(checkpointer: Checkpointer): Promise<CheckpointResult> {
    const wal = this.#wal();
    const { row, durationMs } = await checkpointer.passive();
    const result = checkpointResult('PASSIVE', row, { startedAt: 0, durationMs }, wal);
    // Nothing pinned it: only the frames committed while it ran are left.
    this.#residualDue =
      !result.busy && result.logFrames > 0 && result.checkpointedFrames === result.logFrames;
    return result;
  }

  async #onWriter(mode: CheckpointMode, maxStallMs: number): Promise<CheckpointResult> {
    const wal = this.#wal();
    const startedAt = performance.now();
    const row = await runCheckpoint(this.#services.writer, {
      mode,
      maxStallMs,
      busyTimeoutMs: this.#services.busyTimeoutMs,
    });
    return checkpointResult(mode, row, { startedAt }, wal);
  }

  /**
   * Runs `task` on the writer between its transactions: an open async transaction finishes
   * first, and none starts until `task` is done. Taken before the barrier, so a transaction
   * that awaits a pooled read can still finish.
   */
  async onWriterConnection<T>(task: () => Promise<T>): Promise<T> {
    const lease = this.#services.writerLease;
    await lease.acquire();
    try {
      return await task();
    } finally {
      lease.release();
    }
  }

  /**
   * Backpressure, the last line of a strategy's cap, called after each commit. While a
   * PASSIVE is slow on the checkpointer thread (a loaded disk's fsync), a busy writer can
   * fill the log far past the cap before the queued reset's turn comes (measured: 7 MiB for
   * a 1 MiB cap with 300 ms PASSIVEs). When a commit finds the -wal at the cap while a
   * checkpoint is under way, the committing writer resets the log itself, waiting out the
   * PASSIVE within `maxStallMs`, as SQLite's own autocheckpoint makes the committing writer
   * do the work. With no checkpoint under way this costs a field read; with one, a stat of
   * the -wal at most once a millisecond.
   */
  resetByCommittingWriter(capBytes: number | undefined): void {
    if (this.#running === 0 || capBytes === undefined) return;
    const now = performance.now();
    if (now - this.#capCheckedAt < 1) return;
    this.#capCheckedAt = now;
    const wal = this.#wal();
    if (wal.bytesBefore < capBytes) return;
    const { checkpointer, metrics } = this.#services;
    metrics.writeHolds++;
    const row = runCheckpointSync(this.#services.writer, {
      mode: 'TRUNCATE',
      maxStallMs: this.#services.maxStallMs,
      busyTimeoutMs: this.#services.busyTimeoutMs,
      // A PASSIVE on the checkpointer thread holds SQLite's checkpoint lock: wait it out.
      beforeAttempt: (remainingMs) => {
        if (checkpointer?.running) checkpointer.waitUntilIdle(remainingMs);
      },
    });
    const result = checkpointResult('TRUNCATE', row, { startedAt: now }, wal);
    metrics.writeHoldLatency.record(result.durationMs);
    this.#finish(result);
  }

  /** While a reader pins the log: whether it has let go, from the -shm read marks. */
  notePinMoved(): void {
    if (this.progress.watchable)
      this.progress.notePinMoved(this.#services.sampler.shm.read()?.readMarks);
  }

  /**
   * The end of an off-thread PASSIVE's work, called after each commit. The PASSIVE copies the
   * log as it was when it started while the writer goes on committing, so the log is never
   * fully backfilled when the next transaction starts, SQLite never restarts it, and the -wal
   * grew to eight times SQLite's own (measured: 32 MiB against 4 MiB). So once it copied all
   * it saw, the committing writer copies the few frames committed since, as SQLite's
   * autocheckpoint would, and the next transaction restarts the log. The writer never copies
   * more than `RESIDUAL_MAX_FRAMES`: a larger residual (a PASSIVE slowed by a loaded disk)
   * gets another off-thread PASSIVE, which has less to copy and so leaves less behind, at
   * most `MAX_RESIDUAL_FOLLOW_UPS` in a row. Costs a field read on every other commit.
   */
  copyResidualByCommittingWriter(): void {
    if (!this.#residualDue) return;
    const { checkpointer, writer, sampler } = this.#services;
    // Another checkpoint is under way: it holds SQLite's checkpoint lock; try after it.
    if (this.#running > 0 || checkpointer?.running) return;
    this.#residualDue = false;
    const sample = sampler.sample();
    const residual = sample.frames - sample.backfilledFrames;
    if (residual <= 0) return;
    if (residual > RESIDUAL_MAX_FRAMES) {
      if (checkpointer === undefined || this.#followUps >= MAX_RESIDUAL_FOLLOW_UPS) {
        this.#followUps = 0;
        return;
      }
      this.#followUps++;
      this.checkpoint('PASSIVE', this.#services.maxStallMs).catch((error: unknown) =>
        this.#services.hooks.report(error, 'checkpoint', 'residual PASSIVE'),
      );
      return;
    }
    this.#followUps = 0;
    const wal = this.#wal();
    const startedAt = performance.now();
    let row: Record<string, unknown> | undefined;
    try {
      row = writer.pragma('wal_checkpoint(PASSIVE)')[0];
    } catch (error) {
      // The commit itself succeeded: the failed copy is the checkpoint's, not the write's.
      this.#services.metrics.recordCheckpointError('PASSIVE');
      this.#services.hooks.report(error, 'checkpoint', 'residual PASSIVE');
      return;
    }
    this.#finish(checkpointResult('PASSIVE', row, { startedAt }, wal));
  }

  /** Records the result, re-samples the WAL and tells the plugins, reads already flowing. */
  #finish(result: CheckpointResult): void {
    this.progress.record(result, performance.now(), this.#services.sampler.shm.read()?.readMarks);
    this.#services.metrics.recordCheckpoint(result);
    if (!result.busy) this.#services.metrics.noteDiskOutcome(undefined);
    this.#services.sampler.sampleQuietly();
    this.#services.hooks.checkpoint(result);
  }

  #wal(): { path: string; bytesBefore: number } {
    const path = `${this.#services.path}-wal`;
    return { path, bytesBefore: fileBytes(path) };
  }
}
