import type { AsyncTransaction } from './async-transaction.js';
import {
  CHECKPOINT_MODES,
  type CheckpointMode,
  type CheckpointResult,
} from './checkpoint/result.js';
import type { SqliteParams, SqliteRow } from './driver.js';
import { WalkeeperError } from './errors.js';
import type { HealthReport } from './health.js';
import { registerCore } from './internal/core-registry.js';
import { checkEnum, checkInteger } from './internal/validate.js';
import type { WalkeeperStats } from './metrics.js';
import type { WalkeeperCore } from './open-walkeeper.js';
import { type OptimizeResult, optimize } from './optimize.js';
import type { ResolvedOptions } from './options.js';
import { createPreparedRead, type PreparedRead } from './prepared-read.js';
import { closedError, notAQueryError } from './read-errors.js';
import type { ReadOptions } from './read-pool.js';
import { openReader } from './readers.js';
import { buildHealth, buildStats, statsSources } from './stats-view.js';
import type { Synchronous, WriteTransaction } from './transaction-runner.js';
import type { WalSample } from './wal-sample.js';
import { checkTransactionOptions, writerBusyError } from './write-checks.js';
import type { TransactionOptions } from './write-queue.js';

let construct: <Raw>(core: WalkeeperCore) => Walkeeper<Raw>;

/** Builds the façade over rooms that `openWalkeeper()` has assembled. */
export function createWalkeeper<Raw>(core: WalkeeperCore): Walkeeper<Raw> {
  return construct<Raw>(core);
}

/**
 * One database, kept healthy: the application's whole API. Each method hands its work to the
 * room that owns it (the writer, the read pool, the checkpoint coordinator, the sampler, the
 * hook bus); see docs/architecture.md for the map. Made by `openWalkeeper()`.
 */
export class Walkeeper<Raw = unknown> {
  static {
    construct = <R>(core: WalkeeperCore) => new Walkeeper<R>(core);
  }

  readonly #core: WalkeeperCore;
  #closing: Promise<void> | undefined;

  private constructor(core: WalkeeperCore) {
    this.#core = core;
    registerCore(this, core);
  }

  /** The native writer handle, for Drizzle, Kysely or anything that wants the driver itself. */
  get raw(): Raw {
    this.#assertOpen();
    return this.#core.writer.connection.raw as Raw;
  }

  get path(): string {
    return this.#core.options.path;
  }

  /** The validated, frozen configuration (presets merged). */
  get options(): ResolvedOptions {
    return this.#core.options;
  }

  get sqliteVersion(): string {
    return this.#core.sqliteVersion;
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction on the writer and commits, or rolls back
   * when it throws. Synchronous; nested calls are savepoints. An async `fn` does not compile
   * and is refused at run time with E_ASYNC_WRITE.
   */
  write<T>(fn: (tx: WriteTransaction) => Synchronous<T>): T {
    const { state, writeQueue, writer } = this.#core;
    if (state === 'closed' || state === 'closing') throw closedError();
    if (writeQueue.transactionOpen) throw writerBusyError();
    // Batch members called before this write commit before it: writes keep call order.
    if (!writer.inTransaction) writeQueue.flushPending();
    return writer.write(fn) as T;
  }

  /**
   * Runs `fn` (synchronous, as `write()`'s) in a group commit with the other `batch()` calls of
   * this turn of the event loop: one `BEGIN IMMEDIATE … COMMIT`, each call in its own
   * savepoint, so a throwing `fn` rejects alone. `fn` runs exactly once; the Promise resolves
   * after the COMMIT has returned, as durable as `synchronous` makes it.
   */
  batch<T>(fn: (tx: WriteTransaction) => Synchronous<T>): Promise<T> {
    if (this.#core.state !== 'open' || this.#closing !== undefined)
      return Promise.reject(closedError());
    return this.#core.writeQueue.batch(fn) as Promise<T>;
  }

  /**
   * An exclusive write transaction that may await between statements: `BEGIN IMMEDIATE`, then
   * COMMIT when `fn` resolves, ROLLBACK when it throws, times out or is aborted. Other
   * `batch()` and `transaction()` calls queue behind it; `write()` meanwhile is E_WRITER_BUSY.
   */
  transaction<T>(
    fn: (tx: AsyncTransaction) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    if (this.#core.state !== 'open' || this.#closing !== undefined)
      return Promise.reject(closedError());
    let checked: TransactionOptions;
    try {
      checked = checkTransactionOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#core.writeQueue.transaction(fn, checked);
  }

  /** Runs a read on the read pool. Rejects with E_POOL_QUEUE_FULL, E_TIMEOUT, E_ABORTED or E_CLOSED. */
  read<Row = SqliteRow>(sql: string, params?: SqliteParams, options?: ReadOptions): Promise<Row[]> {
    const { pool, state, hooks } = this.#core;
    if (pool === undefined || state !== 'open' || this.#closing !== undefined) {
      return Promise.reject(
        state === 'opening'
          ? new WalkeeperError(
              'E_CLOSED',
              'Reads open after plugin setup; inside setup, use write().',
            )
          : closedError(),
      );
    }
    if (!hooks.hasQueryHooks) return pool.read<Row>(sql, params, options);
    const started = performance.now();
    const report = (error: unknown) =>
      hooks.query({ kind: 'read', sql, durationMs: performance.now() - started, error });
    return pool.read<Row>(sql, params, options).then(
      (rows) => {
        report(undefined);
        return rows;
      },
      (error: unknown) => {
        report(error);
        throw error;
      },
    );
  }

  /**
   * Prepares a read for the main-thread reader connection and returns a synchronous handle:
   * the path for light reads (point lookups), with no Promise and no queue per call.
   */
  prepareRead<Row = SqliteRow>(sql: string): PreparedRead<Row> {
    this.#assertOpen();
    const core = this.#core;
    if (core.syncReader === undefined) {
      core.syncReader = openReader(core.options);
      core.ownsSyncReader = true;
    }
    const statement = core.syncReader.prepare<Row>(sql);
    if (!statement.returnsData) throw notAQueryError(sql, 'prepareRead()');
    return createPreparedRead(statement, sql, core.metrics, core.readGate);
  }

  /**
   * Runs one checkpoint. RESTART, TRUNCATE and FULL raise the read pool's barrier first, so
   * they never wait on walkeeper's own readers; readers elsewhere can stall them for at most
   * `maxStallMs`, after which the result says `busy: true`.
   */
  checkpoint(
    mode: CheckpointMode = 'PASSIVE',
    options: { maxStallMs?: number } = {},
  ): Promise<CheckpointResult> {
    if (this.#core.state !== 'open') return Promise.reject(closedError());
    let checkedMode: CheckpointMode;
    let maxStallMs: number;
    try {
      checkedMode = checkEnum('checkpoint mode', mode, CHECKPOINT_MODES);
      maxStallMs =
        options.maxStallMs === undefined
          ? this.#core.options.checkpoint.maxStallMs
          : checkInteger('maxStallMs', options.maxStallMs, 0, 60_000);
    } catch (error) {
      // A Promise-returning call reports bad input by rejecting, never by throwing.
      return Promise.reject(error);
    }
    return this.#core.coordinator.checkpoint(checkedMode, maxStallMs);
  }

  /** Samples the WAL now (file size, frames, backfilled frames) and caches the sample. */
  sampleWal(): WalSample {
    this.#assertOpen();
    return this.#core.sampler.sample();
  }

  /** A snapshot of every instrument. Cheap: it reads cached samples, never the disk. */
  stats(): WalkeeperStats {
    return buildStats(statsSources(this.#core));
  }

  /** `ok`, `degraded` or `critical`, with the reasons, from the cached sample and the counters. */
  health(): HealthReport {
    return buildHealth(statsSources(this.#core));
  }

  /** `PRAGMA optimize` with an analysis limit, then an incremental vacuum where enabled. */
  optimize(): Promise<OptimizeResult> {
    const core = this.#core;
    if (core.state !== 'open') return Promise.reject(closedError());
    const analysisLimit = core.options.pragmas.analysisLimit ?? 400;
    return core.coordinator.exclusive(() =>
      core.coordinator.onWriterConnection(async () =>
        optimize(core.writer.connection, analysisLimit),
      ),
    );
  }

  /**
   * Closes: plugin teardown in reverse order, reads drained, a final TRUNCATE checkpoint, the
   * writer closed. SQLite removes the -wal and -shm files when the last connection closes.
   */
  close(): Promise<void> {
    return this.#end(false, async (core) => {
      await core.writeQueue.drain();
      await core.coordinator.drain();
      await core.hooks.close();
      core.state = 'closing';
      await core.pool?.close();
      await core.checkpointer?.close();
      // Beside Litestream the log is Litestream's to reset: a TRUNCATE that won would force it
      // into a new generation (a full snapshot).
      if (core.externalOwner() !== undefined) return () => undefined;
      return () => core.writer.connection.pragma('wal_checkpoint(TRUNCATE)');
    });
  }

  /**
   * Stops at once: queued and running reads reject with E_CLOSED, worker threads are
   * terminated, and no final checkpoint runs. Committed writes are safe. Plugins' `onClose`
   * still runs (after the readers are gone), so their timers and exporters are released.
   */
  destroy(): Promise<void> {
    return this.#end(true, async (core) => {
      core.state = 'closing';
      await core.pool?.destroy();
      await core.checkpointer?.close();
      await core.hooks.close();
      return () => undefined;
    });
  }

  /**
   * The one ending, `close()` or `destroy()`, whichever comes first: timers stop, new async
   * writes are refused (`rejectQueued`: queued ones too), then `teardown`, then the
   * connections close after the writer's last step (the final checkpoint, for close).
   */
  #end(
    rejectQueued: boolean,
    teardown: (core: WalkeeperCore) => Promise<() => unknown>,
  ): Promise<void> {
    this.#core.readGate.open = false;
    this.#closing ??= (async () => {
      const core = this.#core;
      if (core.state !== 'open') return;
      core.sampler.stop();
      core.scheduler?.dispose();
      core.writeQueue.close(rejectQueued);
      const lastStep = await teardown(core);
      if (core.ownsSyncReader) core.syncReader?.close();
      try {
        lastStep();
      } finally {
        core.writer.connection.close();
        // After every connection: closing it earlier would drop SQLite's locks on the -shm.
        core.sampler.shm.close();
        core.state = 'closed';
        core.releasePath();
      }
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    const { state } = this.#core;
    if (state === 'closed' || state === 'closing') throw closedError();
  }
}
