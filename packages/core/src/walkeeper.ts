import {
  CHECKPOINT_MODES,
  type CheckpointMode,
  type CheckpointResult,
  holdsCheckpointLockElsewhere,
  parseCheckpointRow,
  waitsForReaders,
} from './checkpoint-result.js';
import { Checkpointer } from './checkpointer.js';
import { isBusyError, type SqliteConnection, type SqliteParams, type SqliteRow } from './driver.js';
import { enableWal } from './enable-wal.js';
import { WalkeeperError } from './errors.js';
import { assessHealth, type HealthReport } from './health.js';
import { closedError, InlineReadPool, notAQueryError } from './inline-read-pool.js';
import { preflight } from './internal/preflight.js';
import { sleepSync } from './internal/sleep-sync.js';
import { openError } from './internal/sqlite-errors.js';
import { checkEnum, checkInteger } from './internal/validate.js';
import { Metrics, type WalkeeperStats } from './metrics.js';
import { type ResolvedOptions, resolveOptions, type WalkeeperOptions } from './options.js';
import type { QueryEvent, WalkeeperHooks, WalkeeperPlugin } from './plugin.js';
import { resolvePlugins } from './plugin.js';
import { applyPragmas, pragmaAssignment, pragmaAssignments, readerPragmas } from './pragmas.js';
import { createPreparedRead, type PreparedRead, type ReadGate } from './prepared-read.js';
import type { ReadOptions, ReadPool } from './read-pool.js';
import { CheckpointScheduler } from './scheduler.js';
import { composeStrategies } from './strategy.js';
import { fileBytes, hasNoopCheckpoint, sampleWal, type WalSample } from './wal-sample.js';
import type { WorkerSetup } from './worker/protocol.js';
import { WorkerReadPool } from './worker-read-pool.js';
import { Writer, type WriteTransaction } from './writer.js';

export interface OptimizeResult {
  /** Statements `PRAGMA optimize` decided to run (ANALYZE of tables whose stats were stale). */
  analyzed: string[];
  analysisLimit: number;
  /** Pages returned to the file system by `incremental_vacuum` (0 unless auto_vacuum is INCREMENTAL). */
  vacuumedPages: number;
  durationMs: number;
}

type HookName = keyof WalkeeperHooks;
type State = 'opening' | 'open' | 'closing' | 'closed';

/**
 * Opens a database in WAL mode with the writer, the readers and the plugins in place.
 * Options are validated first: a bad one is an E_CONFIG error and nothing on disk changes.
 */
export async function openWalkeeper<Raw = unknown>(
  options: WalkeeperOptions<Raw>,
): Promise<Walkeeper<Raw>> {
  const resolved = resolveOptions(options);
  const plugins = resolvePlugins(options.plugins);
  preflight(resolved.path);
  const walkeeper = new Walkeeper<Raw>(resolved, plugins, options.onPluginError);
  await walkeeper[OPEN]();
  return walkeeper;
}

const OPEN = Symbol('open');
/** Pause between tries while another connection holds SQLite's checkpoint lock. */
const CHECKPOINT_LOCK_RETRY_MS = 2;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Walkeeper<Raw = unknown> {
  readonly #options: ResolvedOptions;
  readonly #plugins: readonly WalkeeperPlugin[];
  readonly #onPluginError: (error: unknown, plugin: string, hook: string) => void;
  readonly #metrics = new Metrics();
  #state: State = 'opening';
  #writer!: Writer;
  #pool: ReadPool | undefined;
  /** The main-thread reader behind prepareRead(): the inline pool's, or one opened on demand. */
  #syncReader: SqliteConnection | undefined;
  #ownsSyncReader = false;
  #checkpointer: Checkpointer | undefined;
  #scheduler: CheckpointScheduler | undefined;
  #queryHooks: { plugin: string; fn: (event: QueryEvent) => void }[] = [];
  readonly #readGate: ReadGate = {
    open: false,
    hooked: false,
    emit: (event) => this.#emitQuery(event),
  };
  #sample: WalSample = { walBytes: 0, frames: 0, backfilledFrames: 0, sampledAt: 0 };
  /** When a commit last compared the -wal with the strategy's cap (see #holdAtCap). */
  #capCheckedAt = 0;
  /** Checkpoints started through checkpoint() and not finished (scheduled or manual). */
  #checkpointsRunning = 0;
  #databaseBytes = 0;
  #sampleTimer: ReturnType<typeof setInterval> | undefined;
  #useNoop = false;
  #sqliteVersion = '';
  #journalMode = '';
  #pageSize = 4096;
  /** Checkpoints and maintenance run one at a time, in call order. */
  #exclusive: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  /** @internal Use `openWalkeeper()`. */
  constructor(
    options: ResolvedOptions,
    plugins: readonly WalkeeperPlugin[],
    onPluginError: ((error: unknown, plugin: string, hook: string) => void) | undefined,
  ) {
    this.#options = options;
    this.#plugins = plugins;
    this.#onPluginError =
      onPluginError ??
      ((error, plugin, hook) =>
        process.emitWarning(`walkeeper plugin "${plugin}" threw in ${hook}: ${String(error)}`, {
          code: 'WALKEEPER_PLUGIN_ERROR',
        }));
  }

  /** @internal */
  async [OPEN](): Promise<void> {
    const { driver, path, pragmas } = this.#options;
    let writer: SqliteConnection | undefined;
    try {
      writer = driver.open(path);
      // Pragmas first: auto_vacuum only takes on a database before it is switched to WAL.
      applyPragmas(writer, pragmas);
      enableWal(writer, path, pragmas.busyTimeout ?? 0);
      this.#journalMode = 'wal';
      this.#sqliteVersion = String(writer.prepare('SELECT sqlite_version() AS v').get()?.v);
      this.#pageSize = Number(writer.pragma('page_size')[0]?.page_size ?? 4096);
      this.#useNoop = hasNoopCheckpoint(this.#sqliteVersion);
    } catch (error) {
      writer?.close();
      throw openError(error, path);
    }
    this.#writer = new Writer(
      writer,
      this.#options.statementCacheSize,
      this.#options.writeRetries,
      this.#metrics,
      {
        afterTransaction: (durationMs, error) => {
          if (error === undefined) {
            this.#scheduler?.noteCommit();
            this.#holdAtCap();
          }
          if (this.#queryHooks.length > 0)
            this.#emitQuery({ kind: 'write', sql: undefined, durationMs, error });
        },
      },
    );
    this.#queryHooks = this.#plugins.flatMap((plugin) => {
      const fn = plugin.hooks?.onQuery;
      return fn ? [{ plugin: plugin.name, fn: fn.bind(plugin.hooks) }] : [];
    });

    const setUp: WalkeeperPlugin[] = [];
    try {
      for (const plugin of this.#plugins) {
        await plugin.setup?.({
          walkeeper: this,
          report: (error) => this.#reportHookError(error, plugin.name, 'setup'),
        });
        setUp.push(plugin);
      }
      this.#pool = await this.#openPool();
      if (this.#options.checkpoint.offThread)
        this.#checkpointer = new Checkpointer(this.#workerSetup('checkpointer'));
    } catch (error) {
      for (const plugin of setUp.reverse()) await this.#callHook(plugin, 'onClose');
      this.#writer.connection.close();
      this.#state = 'closed';
      if (error instanceof WalkeeperError) throw error;
      throw new WalkeeperError('E_PLUGIN', `Opening ${path} failed: ${String(error)}`, {
        cause: error,
      });
    }
    this.#state = 'open';
    this.#startScheduler();
    this.#readGate.open = true;
    this.#readGate.hooked = this.#queryHooks.length > 0;
    this.sampleWal();
    this.#sampleTimer = setInterval(() => this.#sampleQuietly(), this.#options.sampleIntervalMs);
    this.#sampleTimer.unref?.();
  }

  #startScheduler(): void {
    const strategies = this.#plugins.flatMap((plugin) =>
      plugin.strategy ? [plugin.strategy] : [],
    );
    if (strategies.length === 0) return;
    const { intervalMs, watchdogMs } = this.#options.checkpoint;
    const metrics = this.#metrics;
    const writer = this.#writer.connection;
    this.#scheduler = new CheckpointScheduler(
      composeStrategies(strategies),
      {
        sample: () => this.sampleWal(),
        pageSize: this.#pageSize,
        readsInFlight: () => this.#pool?.inFlight() ?? 0,
        lastResult: () => metrics.lastCheckpoint,
        lastResultAt: () => metrics.lastCheckpointAt,
        lastCompleteAt: () => metrics.lastCompleteCheckpointAt,
        busyStreak: () => metrics.busyStreak,
        resetBusyStreak: () => metrics.resetBusyStreak,
        lastResetAt: () => metrics.lastResetAt,
        checkpoint: (decision) =>
          this.checkpoint(
            decision.mode,
            decision.maxStallMs === undefined ? {} : { maxStallMs: decision.maxStallMs },
          ),
        setAutocheckpoint: (pages) => {
          if (this.#state === 'open' && !this.#writer.inTransaction) {
            writer.pragma(
              pragmaAssignment(
                'walAutocheckpoint',
                checkInteger('walAutocheckpoint', pages, 0, 2 ** 31 - 1),
              ),
            );
          }
        },
        report: (error, where) => this.#reportHookError(error, 'scheduler', where),
        decided: (decision, state) => {
          for (const plugin of this.#plugins) {
            const hook = plugin.hooks?.onCheckpointDecision;
            if (!hook) continue;
            try {
              hook.call(plugin.hooks, decision, state);
            } catch (error) {
              this.#reportHookError(error, plugin.name, 'onCheckpointDecision');
            }
          }
        },
      },
      { intervalMs, watchdogMs, fallbackAutocheckpoint: 1000 },
    );
    this.#scheduler.start();
  }

  /** The checkpoint scheduler, when a strategy plugin is registered. */
  get scheduler(): CheckpointScheduler | undefined {
    return this.#scheduler;
  }

  #workerSetup(role: WorkerSetup['role']): WorkerSetup {
    const { driver, path, pragmas } = this.#options;
    return {
      role,
      driverModule: driver.module,
      driverOptions: driver.options,
      path,
      pragmas: pragmaAssignments(readerPragmas(pragmas)),
    };
  }

  async #openPool(): Promise<ReadPool> {
    const { readers, statementCacheSize, path } = this.#options;
    if (readers.mode === 'worker') {
      const pool = new WorkerReadPool({
        size: readers.size,
        maxQueue: readers.maxQueue,
        timeoutMs: readers.timeoutMs,
        statementCacheSize,
        setup: this.#workerSetup('reader'),
        metrics: this.#metrics,
      });
      try {
        await pool.start();
      } catch (error) {
        throw openError(error, path);
      }
      return pool;
    }
    const connections: SqliteConnection[] = [];
    try {
      for (let i = 0; i < readers.size; i++) connections.push(this.#openReader());
    } catch (error) {
      for (const connection of connections) connection.close();
      throw openError(error, path);
    }
    const pool = new InlineReadPool(
      connections,
      statementCacheSize,
      readers.maxQueue,
      readers.timeoutMs,
      this.#metrics,
    );
    this.#syncReader = pool.primary;
    return pool;
  }

  #openReader(): SqliteConnection {
    const { driver, path, pragmas } = this.#options;
    const connection = driver.open(path, { readonly: true, fileMustExist: true });
    try {
      applyPragmas(connection, readerPragmas(pragmas));
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  /** The native writer handle, for Drizzle, Kysely or anything that wants the driver itself. */
  get raw(): Raw {
    this.#assertOpen();
    return this.#writer.connection.raw as Raw;
  }

  get path(): string {
    return this.#options.path;
  }

  /** The validated, frozen configuration (presets merged). */
  get options(): ResolvedOptions {
    return this.#options;
  }

  get sqliteVersion(): string {
    return this.#sqliteVersion;
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction on the writer and commits, or rolls back
   * when it throws. Synchronous; nested calls are savepoints.
   */
  write<T>(fn: (tx: WriteTransaction) => T): T {
    if (this.#state === 'closed' || this.#state === 'closing') throw closedError();
    return this.#writer.write(fn);
  }

  /** Runs a read on the read pool. Rejects with E_POOL_QUEUE_FULL, E_TIMEOUT, E_ABORTED or E_CLOSED. */
  read<Row = SqliteRow>(sql: string, params?: SqliteParams, options?: ReadOptions): Promise<Row[]> {
    const pool = this.#pool;
    if (pool === undefined || this.#state !== 'open' || this.#closing !== undefined) {
      return Promise.reject(
        this.#state === 'opening'
          ? new WalkeeperError(
              'E_CLOSED',
              'Reads open after plugin setup; inside setup, use write().',
            )
          : closedError(),
      );
    }
    if (this.#queryHooks.length === 0) return pool.read<Row>(sql, params, options);
    const started = performance.now();
    return pool.read<Row>(sql, params, options).then(
      (rows) => {
        this.#emitQuery({
          kind: 'read',
          sql,
          durationMs: performance.now() - started,
          error: undefined,
        });
        return rows;
      },
      (error: unknown) => {
        this.#emitQuery({ kind: 'read', sql, durationMs: performance.now() - started, error });
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
    if (this.#syncReader === undefined) {
      this.#syncReader = this.#openReader();
      this.#ownsSyncReader = true;
    }
    const statement = this.#syncReader.prepare<Row>(sql);
    if (!statement.returnsData) throw notAQueryError(sql);
    return createPreparedRead(statement, sql, this.#metrics, this.#readGate);
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
    if (this.#state !== 'open') return Promise.reject(closedError());
    let checkedMode: CheckpointMode;
    let maxStallMs: number;
    try {
      checkedMode = checkEnum('checkpoint mode', mode, CHECKPOINT_MODES);
      maxStallMs =
        options.maxStallMs === undefined
          ? this.#options.checkpoint.maxStallMs
          : checkInteger('maxStallMs', options.maxStallMs, 0, 60_000);
    } catch (error) {
      // A Promise-returning call reports bad input by rejecting, never by throwing.
      return Promise.reject(error);
    }
    return this.#runExclusive(() => this.#checkpoint(checkedMode, maxStallMs));
  }

  async #checkpoint(mode: CheckpointMode, maxStallMs: number): Promise<CheckpointResult> {
    const barrier = waitsForReaders(mode) && this.#pool !== undefined;
    this.#checkpointsRunning++;
    if (barrier) await this.#pool!.pause();
    try {
      const result =
        mode === 'PASSIVE' && this.#checkpointer
          ? await this.#checkpointOffThread(this.#checkpointer)
          : await this.#checkpointOnWriter(mode, maxStallMs);
      this.#metrics.recordCheckpoint(result);
      this.#sampleQuietly();
      for (const plugin of this.#plugins) {
        if (plugin.hooks?.onCheckpoint) await this.#callHook(plugin, 'onCheckpoint', result);
      }
      return result;
    } catch (error) {
      this.#metrics.recordCheckpointError(mode);
      throw error;
    } finally {
      if (barrier) this.#pool!.resume();
      this.#checkpointsRunning--;
    }
  }

  async #checkpointOffThread(checkpointer: Checkpointer): Promise<CheckpointResult> {
    const walPath = `${this.#options.path}-wal`;
    const walBytesBefore = fileBytes(walPath);
    const { row, durationMs } = await checkpointer.passive();
    return {
      mode: 'PASSIVE',
      ...parseCheckpointRow(row),
      durationMs,
      walBytesBefore,
      walBytesAfter: fileBytes(walPath),
    };
  }

  async #checkpointOnWriter(mode: CheckpointMode, maxStallMs: number): Promise<CheckpointResult> {
    const walBytesBefore = fileBytes(`${this.#options.path}-wal`);
    const started = performance.now();
    const deadline = started + maxStallMs;
    let row = this.#checkpointAttempt(mode, maxStallMs);
    // SQLite takes the checkpoint lock without calling the busy handler: while another
    // connection or process checkpoints, the answer is busy at once with log -1. Waiting
    // modes try again until their stall cap runs out, as they would for a reader.
    while (waitsForReaders(mode) && holdsCheckpointLockElsewhere(row)) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      await sleep(Math.min(CHECKPOINT_LOCK_RETRY_MS, remaining));
      row = this.#checkpointAttempt(mode, Math.max(0, Math.round(deadline - performance.now())));
    }
    return this.#writerResult(mode, row, started, walBytesBefore);
  }

  /** A checkpoint's result from SQLite's row, once it has run on the writer. */
  #writerResult(
    mode: CheckpointMode,
    row: Record<string, unknown> | undefined,
    started: number,
    walBytesBefore: number,
  ): CheckpointResult {
    return {
      mode,
      ...parseCheckpointRow(row),
      durationMs: performance.now() - started,
      walBytesBefore,
      walBytesAfter: fileBytes(`${this.#options.path}-wal`),
    };
  }

  /** One `wal_checkpoint` on the writer; readers elsewhere may hold it up to `stallMs`. */
  #checkpointAttempt(mode: CheckpointMode, stallMs: number): Record<string, unknown> | undefined {
    const connection = this.#writer.connection;
    const capStall = waitsForReaders(mode);
    if (capStall) connection.pragma(`busy_timeout = ${stallMs}`);
    try {
      return connection.pragma(`wal_checkpoint(${mode})`)[0];
    } catch (error) {
      // A busy handler that gave up surfaces as SQLITE_BUSY on some paths: that is a busy result.
      if (!isBusyError(error)) throw error;
      return undefined;
    } finally {
      if (capStall) connection.pragma(`busy_timeout = ${this.#options.pragmas.busyTimeout ?? 0}`);
    }
  }

  /**
   * Backpressure, the last line of a strategy's cap. Checkpoints run one at a time, so while a
   * PASSIVE is slow on the checkpointer thread (a loaded disk's fsync) a busy writer can fill
   * the log far past the cap before the reset's turn comes (measured: 7 MiB for a 1 MiB cap
   * with 300 ms PASSIVEs). When a commit finds the -wal at the cap while a checkpoint is under
   * way, the committing writer resets the log itself (waiting out a PASSIVE that holds the
   * checkpoint lock, within `checkpoint.maxStallMs`), as SQLite's own autocheckpoint makes the
   * committing writer do the work. With no checkpoint under way this costs a field read; with
   * one, a stat of the -wal at most once a millisecond.
   */
  #holdAtCap(): void {
    // Most commits stop here: no checkpoint under way.
    if (this.#checkpointsRunning === 0) return;
    const capBytes = this.#scheduler?.strategy.capBytes;
    if (capBytes === undefined) return;
    const checkpointer = this.#checkpointer;
    const now = performance.now();
    if (now - this.#capCheckedAt < 1) return;
    this.#capCheckedAt = now;
    const walBytesBefore = fileBytes(`${this.#options.path}-wal`);
    if (walBytesBefore < capBytes) return;
    this.#metrics.writeHolds++;
    const deadline = now + this.#options.checkpoint.maxStallMs;
    let row: Record<string, unknown> | undefined;
    for (;;) {
      // A PASSIVE on the checkpointer thread holds SQLite's checkpoint lock: wait it out.
      if (checkpointer?.running) checkpointer.waitUntilIdle(deadline - performance.now());
      row = this.#checkpointAttempt(
        'TRUNCATE',
        Math.max(0, Math.round(deadline - performance.now())),
      );
      if (!holdsCheckpointLockElsewhere(row) || performance.now() >= deadline) break;
      sleepSync(CHECKPOINT_LOCK_RETRY_MS);
    }
    const result = this.#writerResult('TRUNCATE', row, now, walBytesBefore);
    this.#metrics.writeHoldLatency.record(result.durationMs);
    this.#metrics.recordCheckpoint(result);
    this.#sampleQuietly();
    for (const plugin of this.#plugins) {
      if (plugin.hooks?.onCheckpoint) void this.#callHook(plugin, 'onCheckpoint', result);
    }
  }

  /** Samples the WAL now (file size, frames, backfilled frames) and caches the sample. */
  sampleWal(): WalSample {
    this.#assertOpen();
    this.#sample = sampleWal(this.#options.path, this.#writer.connection, this.#useNoop);
    this.#databaseBytes = fileBytes(this.#options.path);
    return this.#sample;
  }

  #sampleQuietly(): void {
    if (this.#state !== 'open' || this.#writer.inTransaction) return;
    try {
      this.sampleWal();
    } catch {
      // A failed sample leaves the previous one in place; the next tick tries again.
    }
  }

  /** A snapshot of every instrument. Cheap: it reads cached samples, never the disk. */
  stats(): WalkeeperStats {
    const m = this.#metrics;
    return {
      writes: {
        count: m.writes,
        errors: m.writeErrors,
        busyRetries: m.busyRetries,
        heldAtCap: m.writeHolds,
        heldAtCapMs: m.writeHoldLatency.snapshot(),
        latencyMs: m.writeLatency.snapshot(),
      },
      reads: { count: m.reads, errors: m.readErrors, latencyMs: m.readLatency.snapshot() },
      pool:
        this.#pool?.stats() ??
        emptyPoolStats(this.#options.readers.mode, this.#options.readers.size),
      wal: {
        ...this.#sample,
        capBytes: this.#walCapBytes(),
        pageSize: this.#pageSize,
      },
      scheduler: this.#scheduler?.stats(),
      checkpoints: m.checkpointSnapshot(),
      database: {
        bytes: this.#databaseBytes,
        sqliteVersion: this.#sqliteVersion,
        journalMode: this.#journalMode,
      },
      plugins: { names: this.#plugins.map((p) => p.name), hookErrors: m.hookErrors },
      uptimeMs: Date.now() - m.openedAt,
    };
  }

  /** `ok`, `degraded` or `critical`, with the reasons, from the cached sample and the counters. */
  health(): HealthReport {
    const m = this.#metrics;
    const pool = this.#pool?.stats();
    return assessHealth(
      {
        now: Date.now(),
        walBytes: this.#sample.walBytes,
        frames: this.#sample.frames,
        backfilledFrames: this.#sample.backfilledFrames,
        busyStreak: Math.max(m.busyStreak, m.resetBusyStreak),
        lastCompleteCheckpointAt: m.lastCompleteCheckpointAt,
        openedAt: m.openedAt,
        journalMode: this.#journalMode,
        sqliteVersion: this.#sqliteVersion,
        readerCrashes: pool?.crashes ?? 0,
        checkpointsHandedBack: this.#scheduler?.stats().watchdogEngaged ?? false,
      },
      { ...this.#options.health, walCapBytes: this.#walCapBytes() },
    );
  }

  /** The strategy's cap where it promises one, else `health.walCapBytes`. */
  #walCapBytes(): number {
    return this.#scheduler?.strategy.capBytes ?? this.#options.health.walCapBytes;
  }

  /** `PRAGMA optimize` with an analysis limit, then an incremental vacuum where enabled. */
  optimize(): Promise<OptimizeResult> {
    if (this.#state !== 'open') return Promise.reject(closedError());
    return this.#runExclusive(async () => {
      const connection = this.#writer.connection;
      const started = performance.now();
      const analysisLimit = this.#options.pragmas.analysisLimit ?? 400;
      connection.pragma(`analysis_limit = ${analysisLimit}`);
      // Mask 0x03 lists what optimize would run without running it; then it runs for real.
      const analyzed = connection.pragma('optimize(3)').map((row) => String(Object.values(row)[0]));
      connection.pragma('optimize');
      let vacuumedPages = 0;
      if (Number(connection.pragma('auto_vacuum')[0]?.auto_vacuum) === 2) {
        const before = Number(connection.pragma('freelist_count')[0]?.freelist_count ?? 0);
        connection.pragma('incremental_vacuum');
        vacuumedPages =
          before - Number(connection.pragma('freelist_count')[0]?.freelist_count ?? 0);
      }
      return { analyzed, analysisLimit, vacuumedPages, durationMs: performance.now() - started };
    });
  }

  /**
   * Closes: plugin teardown in reverse order, reads drained, a final TRUNCATE checkpoint, the
   * writer closed. SQLite removes the -wal and -shm files when the last connection closes.
   */
  close(): Promise<void> {
    this.#readGate.open = false;
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#state !== 'open') return;
    clearInterval(this.#sampleTimer);
    this.#scheduler?.dispose();
    await this.#exclusive.catch(() => undefined);
    for (const plugin of [...this.#plugins].reverse()) await this.#callHook(plugin, 'onClose');
    this.#state = 'closing';
    await this.#pool?.close();
    await this.#checkpointer?.close();
    if (this.#ownsSyncReader) this.#syncReader?.close();
    const connection = this.#writer.connection;
    try {
      connection.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      connection.close();
      this.#state = 'closed';
    }
  }

  /**
   * Stops at once: queued and running reads reject with E_CLOSED, worker threads are
   * terminated, and no final checkpoint runs. Committed writes are safe. Plugins' `onClose`
   * still runs (after the readers are gone), so their timers and exporters are released.
   */
  destroy(): Promise<void> {
    this.#readGate.open = false;
    this.#closing ??= this.#destroy();
    return this.#closing;
  }

  async #destroy(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    clearInterval(this.#sampleTimer);
    this.#scheduler?.dispose();
    await this.#pool?.destroy();
    await this.#checkpointer?.close();
    for (const plugin of [...this.#plugins].reverse()) await this.#callHook(plugin, 'onClose');
    if (this.#ownsSyncReader) this.#syncReader?.close();
    this.#writer.connection.close();
    this.#state = 'closed';
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#state === 'closed' || this.#state === 'closing') throw closedError();
  }

  #runExclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#exclusive.then(task, task);
    this.#exclusive = run.catch(() => undefined);
    return run;
  }

  #emitQuery(event: QueryEvent): void {
    for (const { plugin, fn } of this.#queryHooks) {
      try {
        fn(event);
      } catch (error) {
        this.#reportHookError(error, plugin, 'onQuery');
      }
    }
  }

  async #callHook(plugin: WalkeeperPlugin, hook: HookName, ...args: unknown[]): Promise<void> {
    const fn = plugin.hooks?.[hook] as ((...a: unknown[]) => unknown) | undefined;
    if (!fn) return;
    try {
      await fn.apply(plugin.hooks, args);
    } catch (error) {
      this.#reportHookError(error, plugin.name, hook);
    }
  }

  #reportHookError(error: unknown, plugin: string, hook: string): void {
    this.#metrics.hookErrors++;
    try {
      this.#onPluginError(error, plugin, hook);
    } catch {
      // The error reporter itself failed; the counter above still records the hook error.
    }
    for (const other of this.#plugins) {
      const onPluginError = other.hooks?.onPluginError;
      if (other.name === plugin || !onPluginError) continue;
      try {
        onPluginError.call(other.hooks, error, plugin, hook);
      } catch {
        this.#metrics.hookErrors++;
      }
    }
  }
}

function emptyPoolStats(mode: 'inline' | 'worker', size: number): WalkeeperStats['pool'] {
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
