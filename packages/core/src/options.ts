import type { SqliteDriver } from './driver.js';
import { WalkeeperError } from './errors.js';
import {
  checkBoolean,
  checkEnum,
  checkInteger,
  checkKnownKeys,
  checkPlainObject,
  configError,
} from './internal/validate.js';
import type { WalkeeperPlugin } from './plugin.js';
import { PRESETS, type PragmaOptions, type Preset, validatePragmas } from './pragmas.js';

export interface ReaderOptions {
  /** Reader connections (1 to 64). */
  size?: number;
  /** `inline`: connections on the main thread; `worker`: one worker thread each. */
  mode?: 'inline' | 'worker';
  /** Reads allowed to wait for a connection before `read()` rejects with E_POOL_QUEUE_FULL. */
  maxQueue?: number;
  /** Default time limit of a read, waiting included (E_TIMEOUT). */
  timeoutMs?: number;
}

export interface CheckpointOptions {
  /**
   * Longest a RESTART, TRUNCATE or FULL checkpoint may wait for readers outside walkeeper
   * (another process) before it gives up and reports `busy`.
   */
  maxStallMs?: number;
  /**
   * Beside Litestream (its tables in the database), walkeeper `cooperate`s by default
   * (`'auto'`): it never resets the WAL, never holds the writer at a cap, and leaves
   * checkpoints to Litestream and SQLite's autocheckpoint. `'ignore'` keeps walkeeper's
   * strategy in charge anyway; `'cooperate'` cooperates from the start.
   */
  litestream?: 'auto' | 'cooperate' | 'ignore';
  /** Run PASSIVE checkpoints on a connection in a worker thread. Default true. */
  offThread?: boolean;
  /** How often a checkpoint strategy is asked (it is asked after commits too). Default 100 ms. */
  intervalMs?: number;
  /**
   * Writes going on with no scheduler tick for this long hand checkpoints back to SQLite's
   * autocheckpoint until ticks resume. Default 5000 ms.
   */
  watchdogMs?: number;
}

export interface HealthOptions {
  /** WAL size over which health is degraded (twice that: critical). Default 64 MiB. */
  walCapBytes?: number;
  /** Consecutive busy checkpoints that degrade health (three times that: critical). Default 3. */
  busyStreak?: number;
  /** Unbackfilled WAL with no complete checkpoint for this long is degraded. Default 5 min. */
  maxCheckpointAgeMs?: number;
}

export interface BatchOptions {
  /**
   * How long a group of `batch()` calls may wait for more members before it commits. Default
   * undefined: one turn of the event loop (calls made in the same tick share a commit).
   */
  maxDelayMs?: number;
  /** Members in one group at most; a full group commits at once. Default 1000. */
  maxSize?: number;
}

export interface WalkeeperOptions<Raw = unknown> {
  /** The database file. It is created when missing; its directory must exist. */
  path: string;
  driver: SqliteDriver<Raw>;
  /** `default`: synchronous NORMAL; `durable`: synchronous FULL. Pragmas override it. */
  preset?: Preset;
  pragmas?: PragmaOptions;
  readers?: ReaderOptions;
  checkpoint?: CheckpointOptions;
  health?: HealthOptions;
  /** Group commits of `batch()`. */
  batch?: BatchOptions;
  plugins?: readonly WalkeeperPlugin[];
  /** Prepared statements kept per connection (LRU). Default 256; 0 turns caching off. */
  statementCacheSize?: number;
  /** How often the WAL is sampled for `stats()` and `health()`. Default 1000 ms. */
  sampleIntervalMs?: number;
  /** Retries when BEGIN IMMEDIATE still meets SQLITE_BUSY after the busy timeout. Default 3. */
  writeRetries?: number;
  /** Called when a plugin hook throws. Default: a process warning. */
  onPluginError?: (error: unknown, plugin: string, hook: string) => void;
}

export interface ResolvedOptions {
  readonly path: string;
  readonly driver: SqliteDriver;
  readonly preset: Preset;
  readonly pragmas: Readonly<PragmaOptions>;
  readonly readers: Readonly<Required<ReaderOptions>>;
  readonly checkpoint: Readonly<Required<CheckpointOptions>>;
  readonly health: Readonly<Required<HealthOptions>>;
  readonly batch: Readonly<{ maxDelayMs: number | undefined; maxSize: number }>;
  readonly statementCacheSize: number;
  readonly sampleIntervalMs: number;
  readonly writeRetries: number;
}

const TOP_LEVEL = [
  'path',
  'driver',
  'preset',
  'pragmas',
  'readers',
  'checkpoint',
  'health',
  'batch',
  'plugins',
  'statementCacheSize',
  'sampleIntervalMs',
  'writeRetries',
  'onPluginError',
] as const;

/** Validates everything but plugins (checked by the registry) and returns a frozen config. */
export function resolveOptions(value: unknown): ResolvedOptions {
  const input = checkPlainObject('options', value);
  checkKnownKeys('options', input, TOP_LEVEL);

  const path = input.path;
  if (typeof path !== 'string' || path.trim() === '') {
    throw configError('path', path, 'a file path');
  }
  if (path === ':memory:' || path.startsWith('file:')) {
    throw configError(
      'path',
      path,
      'a file path (WAL needs a file on disk, not :memory: or a URI)',
    );
  }
  if (path.includes('\0')) throw configError('path', path, 'a path without NUL bytes');

  const driver = checkDriver(input.driver);
  const preset =
    input.preset === undefined
      ? 'default'
      : checkEnum('preset', input.preset, ['default', 'durable'] as const);
  const pragmas = Object.freeze({ ...PRESETS[preset], ...validatePragmas(input.pragmas) });

  const readersIn = input.readers === undefined ? {} : checkPlainObject('readers', input.readers);
  checkKnownKeys('readers', readersIn, ['size', 'mode', 'maxQueue', 'timeoutMs']);
  const readers = Object.freeze({
    size: readersIn.size === undefined ? 1 : checkInteger('readers.size', readersIn.size, 1, 64),
    mode:
      readersIn.mode === undefined
        ? 'inline'
        : checkEnum('readers.mode', readersIn.mode, ['inline', 'worker'] as const),
    maxQueue:
      readersIn.maxQueue === undefined
        ? 10_000
        : checkInteger('readers.maxQueue', readersIn.maxQueue, 0, 10_000_000),
    timeoutMs:
      readersIn.timeoutMs === undefined
        ? 30_000
        : checkInteger('readers.timeoutMs', readersIn.timeoutMs, 1, 2 ** 31 - 1),
  });

  const checkpointIn =
    input.checkpoint === undefined ? {} : checkPlainObject('checkpoint', input.checkpoint);
  checkKnownKeys('checkpoint', checkpointIn, [
    'maxStallMs',
    'litestream',
    'offThread',
    'intervalMs',
    'watchdogMs',
  ]);
  const checkpoint = Object.freeze({
    litestream:
      checkpointIn.litestream === undefined
        ? ('auto' as const)
        : checkEnum('checkpoint.litestream', checkpointIn.litestream, [
            'auto',
            'cooperate',
            'ignore',
          ] as const),
    maxStallMs:
      checkpointIn.maxStallMs === undefined
        ? 200
        : checkInteger('checkpoint.maxStallMs', checkpointIn.maxStallMs, 0, 60_000),
    offThread:
      checkpointIn.offThread === undefined
        ? true
        : checkBoolean('checkpoint.offThread', checkpointIn.offThread),
    intervalMs:
      checkpointIn.intervalMs === undefined
        ? 100
        : checkInteger('checkpoint.intervalMs', checkpointIn.intervalMs, 5, 3_600_000),
    watchdogMs:
      checkpointIn.watchdogMs === undefined
        ? 5000
        : checkInteger('checkpoint.watchdogMs', checkpointIn.watchdogMs, 50, 3_600_000),
  });

  const healthIn = input.health === undefined ? {} : checkPlainObject('health', input.health);
  checkKnownKeys('health', healthIn, ['walCapBytes', 'busyStreak', 'maxCheckpointAgeMs']);
  const health = Object.freeze({
    walCapBytes:
      healthIn.walCapBytes === undefined
        ? 64 * 2 ** 20
        : checkInteger('health.walCapBytes', healthIn.walCapBytes, 4096, Number.MAX_SAFE_INTEGER),
    busyStreak:
      healthIn.busyStreak === undefined
        ? 3
        : checkInteger('health.busyStreak', healthIn.busyStreak, 1, 1_000_000),
    maxCheckpointAgeMs:
      healthIn.maxCheckpointAgeMs === undefined
        ? 5 * 60_000
        : checkInteger('health.maxCheckpointAgeMs', healthIn.maxCheckpointAgeMs, 1, 2 ** 31 - 1),
  });

  const batchIn = input.batch === undefined ? {} : checkPlainObject('batch', input.batch);
  checkKnownKeys('batch', batchIn, ['maxDelayMs', 'maxSize']);
  const batch = Object.freeze({
    maxDelayMs:
      batchIn.maxDelayMs === undefined
        ? undefined
        : checkInteger('batch.maxDelayMs', batchIn.maxDelayMs, 0, 60_000),
    maxSize:
      batchIn.maxSize === undefined
        ? 1000
        : checkInteger('batch.maxSize', batchIn.maxSize, 1, 1_000_000),
  });

  const statementCacheSize =
    input.statementCacheSize === undefined
      ? 256
      : checkInteger('statementCacheSize', input.statementCacheSize, 0, 100_000);
  const sampleIntervalMs =
    input.sampleIntervalMs === undefined
      ? 1000
      : checkInteger('sampleIntervalMs', input.sampleIntervalMs, 10, 3_600_000);
  const writeRetries =
    input.writeRetries === undefined ? 3 : checkInteger('writeRetries', input.writeRetries, 0, 20);
  if (input.onPluginError !== undefined && typeof input.onPluginError !== 'function') {
    throw configError('onPluginError', input.onPluginError, 'a function');
  }

  return Object.freeze({
    path,
    driver,
    preset,
    pragmas,
    readers,
    checkpoint,
    health,
    batch,
    statementCacheSize,
    sampleIntervalMs,
    writeRetries,
  });
}

function checkDriver(value: unknown): SqliteDriver {
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as SqliteDriver).open !== 'function'
  ) {
    throw configError('driver', value, 'a walkeeper driver such as betterSqlite3()');
  }
  const driver = value as SqliteDriver;
  if (driver.specificationVersion !== 'v1') {
    throw new WalkeeperError(
      'E_CONFIG',
      `Invalid option driver: driver "${String(driver.name)}" implements specification ${String(driver.specificationVersion)}; this walkeeper supports 'v1'.`,
      { details: { option: 'driver', allowed: 'v1' } },
    );
  }
  return driver;
}
