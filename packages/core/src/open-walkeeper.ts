import { Checkpointer } from './checkpoint/checkpointer.js';
import { CheckpointCoordinator } from './checkpoint/coordinator.js';
import { litestreamDetector } from './checkpoint/litestream.js';
import type { SqliteConnection } from './driver.js';
import { enableWal } from './enable-wal.js';
import { WalkeeperError } from './errors.js';
import { HookBus } from './hook-bus.js';
import { claimPath } from './internal/open-paths.js';
import { preflight } from './internal/preflight.js';
import { openError } from './internal/sqlite-errors.js';
import { checkInteger } from './internal/validate.js';
import { Metrics } from './metrics.js';
import { type ResolvedOptions, resolveOptions, type WalkeeperOptions } from './options.js';
import { resolvePlugins, type WalkeeperPlugin } from './plugin.js';
import { applyPragmas, pragmaAssignment } from './pragmas.js';
import type { ReadGate } from './prepared-read.js';
import type { ReadPool } from './read-pool.js';
import { openReadPool, workerSetup } from './readers.js';
import { CheckpointScheduler } from './scheduler.js';
import { composeStrategies } from './strategy.js';
import { WalSampler } from './wal-sampler.js';
import { createWalkeeper, type Walkeeper } from './walkeeper.js';
import { WriteQueue } from './write-queue.js';
import { Writer } from './writer.js';

export type LifecycleState = 'opening' | 'open' | 'closing' | 'closed';

/** The rooms behind one walkeeper, built here and handed to the façade. */
export interface WalkeeperCore {
  readonly options: ResolvedOptions;
  readonly plugins: readonly WalkeeperPlugin[];
  readonly metrics: Metrics;
  readonly hooks: HookBus;
  readonly writer: Writer;
  readonly writeQueue: WriteQueue;
  readonly sampler: WalSampler;
  readonly coordinator: CheckpointCoordinator;
  readonly readGate: ReadGate;
  readonly sqliteVersion: string;
  readonly pageSize: number;
  readonly journalMode: string;
  readonly checkpointer: Checkpointer | undefined;
  /** A program that owns checkpoints now (Litestream), per `checkpoint.litestream`. */
  readonly externalOwner: () => 'litestream' | undefined;
  /** Lets another open of the same file in this process go ahead. */
  readonly releasePath: () => void;
  state: LifecycleState;
  pool: ReadPool | undefined;
  /** The main-thread reader behind prepareRead(): the inline pool's, or one opened on demand. */
  syncReader: SqliteConnection | undefined;
  ownsSyncReader: boolean;
  scheduler: CheckpointScheduler | undefined;
}

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
  const releasePath = claimPath(resolved.path);
  let core: WalkeeperCore;
  try {
    core = buildCore(resolved, plugins, options.onPluginError, releasePath);
  } catch (error) {
    releasePath();
    throw error;
  }
  const walkeeper = createWalkeeper<Raw>(core);
  await start(core, walkeeper as Walkeeper);
  return walkeeper;
}

function buildCore(
  options: ResolvedOptions,
  plugins: readonly WalkeeperPlugin[],
  onPluginError: WalkeeperOptions['onPluginError'],
  releasePath: () => void,
): WalkeeperCore {
  const { driver, path, pragmas } = options;
  let connection: SqliteConnection | undefined;
  let sqliteVersion: string;
  let pageSize: number;
  try {
    connection = driver.open(path);
    // Pragmas first: auto_vacuum only takes on a database before it is switched to WAL.
    applyPragmas(connection, pragmas);
    enableWal(connection, path, pragmas.busyTimeout ?? 0);
    sqliteVersion = String(connection.prepare('SELECT sqlite_version() AS v').get()?.v);
    pageSize = Number(connection.pragma('page_size')[0]?.page_size ?? 4096);
  } catch (error) {
    connection?.close();
    throw openError(error, path);
  }
  const writerConnection = connection;
  const metrics = new Metrics();
  const hooks = new HookBus(plugins, metrics, onPluginError);
  const checkpointer = options.checkpoint.offThread
    ? new Checkpointer(workerSetup(options, 'checkpointer'))
    : undefined;
  // The rooms refer to each other through `core`, filled in below before anything runs.
  const core = { state: 'opening' } as WalkeeperCore;
  const sampler = new WalSampler(
    path,
    writerConnection,
    sqliteVersion,
    () => core.state !== 'open' || core.writer.inTransaction,
  );
  const coordinator = new CheckpointCoordinator({
    path,
    writer: writerConnection,
    busyTimeoutMs: pragmas.busyTimeout ?? 0,
    maxStallMs: options.checkpoint.maxStallMs,
    pool: () => core.pool,
    writerLease: {
      acquire: () => core.writeQueue.acquire(),
      release: () => core.writeQueue.release(),
    },
    checkpointer,
    metrics,
    sampler,
    hooks,
  });
  const writer = new Writer(
    writerConnection,
    { path, statementCacheSize: options.statementCacheSize, writeRetries: options.writeRetries },
    metrics,
    (durationMs, error) => {
      if (error === undefined) {
        core.scheduler?.noteCommit();
        coordinator.resetByCommittingWriter(core.scheduler?.capBytes);
        coordinator.copyResidualByCommittingWriter();
      }
      if (hooks.hasQueryHooks) hooks.query({ kind: 'write', sql: undefined, durationMs, error });
    },
  );
  const writeQueue = new WriteQueue(writer, metrics, options.batch);
  return Object.assign(core, {
    options,
    plugins,
    metrics,
    hooks,
    writer,
    writeQueue,
    sampler,
    coordinator,
    readGate: {
      open: false,
      hooked: hooks.hasQueryHooks,
      emit: (event) => hooks.query(event),
    },
    sqliteVersion,
    pageSize,
    journalMode: 'wal',
    checkpointer,
    externalOwner: externalOwner(options, writerConnection),
    releasePath,
    pool: undefined,
    syncReader: undefined,
    ownsSyncReader: false,
    scheduler: undefined,
  } satisfies Omit<WalkeeperCore, 'state'>);
}

/** Plugin setup in dependency order, then the readers, the scheduler and the WAL sampler. */
async function start(core: WalkeeperCore, walkeeper: Walkeeper): Promise<void> {
  const setUp = new Set<string>();
  try {
    for (const plugin of core.plugins) {
      await plugin.setup?.({
        walkeeper,
        report: (error) => core.hooks.report(error, plugin.name, 'setup'),
      });
      setUp.add(plugin.name);
    }
    const { pool, syncReader } = await openReadPool(core.options, core.metrics);
    core.pool = pool;
    core.syncReader = syncReader;
  } catch (error) {
    await core.hooks.close(setUp);
    await core.checkpointer?.close();
    core.writer.connection.close();
    core.sampler.shm.close();
    core.state = 'closed';
    core.releasePath();
    if (error instanceof WalkeeperError) throw error;
    throw new WalkeeperError('E_PLUGIN', `Opening ${core.options.path} failed: ${String(error)}`, {
      cause: error,
    });
  }
  core.state = 'open';
  core.scheduler = startScheduler(core);
  core.readGate.open = true;
  core.sampler.start(core.options.sampleIntervalMs);
}

function startScheduler(core: WalkeeperCore): CheckpointScheduler | undefined {
  const strategies = core.plugins.flatMap((plugin) => (plugin.strategy ? [plugin.strategy] : []));
  if (strategies.length === 0) return undefined;
  const { intervalMs, watchdogMs, maxStallMs } = core.options.checkpoint;
  const scheduler = new CheckpointScheduler(
    composeStrategies(strategies),
    {
      sampler: core.sampler,
      metrics: core.metrics,
      coordinator: core.coordinator,
      hooks: core.hooks,
      pageSize: core.pageSize,
      maxStallMs,
      pool: () => core.pool,
      externalOwner: core.externalOwner,
      setAutocheckpoint: (pages) => {
        if (core.state !== 'open' || core.writer.inTransaction) return;
        const checked = checkInteger('walAutocheckpoint', pages, 0, 2 ** 31 - 1);
        core.writer.connection.pragma(pragmaAssignment('walAutocheckpoint', checked));
      },
    },
    { intervalMs, watchdogMs, fallbackAutocheckpoint: 1000 },
  );
  scheduler.start();
  return scheduler;
}

/** Litestream, when it replicates this database and `checkpoint.litestream` lets it own checkpoints. */
function externalOwner(
  options: ResolvedOptions,
  writer: SqliteConnection,
): () => 'litestream' | undefined {
  const mode = options.checkpoint.litestream;
  if (mode === 'ignore') return () => undefined;
  if (mode === 'cooperate') return () => 'litestream';
  const detect = litestreamDetector(writer);
  let last: 'litestream' | undefined;
  return () => {
    try {
      last = detect() ? 'litestream' : undefined;
    } catch {
      // The check itself failed (a locked schema): the last answer stands until the next one.
    }
    return last;
  };
}
