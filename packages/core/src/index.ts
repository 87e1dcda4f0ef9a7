export type { AsyncTransaction } from './async-transaction.js';
export type { CheckpointMode, CheckpointResult } from './checkpoint/result.js';
export { CHECKPOINT_MODES } from './checkpoint/result.js';
export type {
  SqliteConnection,
  SqliteDriver,
  SqliteDriverModule,
  SqliteOpenOptions,
  SqliteParams,
  SqliteRow,
  SqliteRunResult,
  SqliteStatement,
} from './driver.js';
export { isBusyError, isSqliteError, SqliteError } from './driver.js';
export type { WalkeeperErrorCode, WalkeeperErrorOptions } from './errors.js';
export { isWalkeeperError, WalkeeperError } from './errors.js';
export type {
  HealthInput,
  HealthReason,
  HealthReport,
  HealthStatus,
  HealthThresholds,
} from './health.js';
export { assessHealth, PIN_REPORT_MS, WAL_RESET_FIX_VERSION } from './health.js';
export type { HistogramSnapshot } from './histogram.js';
export type { CheckpointOutcome, PoolStats, WalkeeperStats } from './metrics.js';
export { openWalkeeper } from './open-walkeeper.js';
export type { OptimizeResult } from './optimize.js';
export type {
  BatchOptions,
  CheckpointOptions,
  HealthOptions,
  ReaderOptions,
  ResolvedOptions,
  WalkeeperOptions,
} from './options.js';
export type { PluginContext, QueryEvent, WalkeeperHooks, WalkeeperPlugin } from './plugin.js';
export type { PragmaName, PragmaOptions, Preset } from './pragmas.js';
export { PRAGMA_TABLE, PRESETS } from './pragmas.js';
export type { PreparedRead } from './prepared-read.js';
export type { ReadOptions } from './read-pool.js';
export type { PinStats, SchedulerStats } from './scheduler.js';
export type { CheckpointDecision, CheckpointStrategy, WalState } from './strategy.js';
export { composeStrategies } from './strategy.js';
export type { Synchronous, WriteTransaction } from './transaction-runner.js';
export type { WalSample } from './wal-sample.js';
export { Walkeeper } from './walkeeper.js';
export type { TransactionOptions } from './write-queue.js';
