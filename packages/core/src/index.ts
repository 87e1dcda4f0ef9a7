export type { CheckpointMode, CheckpointResult } from './checkpoint-result.js';
export { CHECKPOINT_MODES } from './checkpoint-result.js';
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
export { enableWal } from './enable-wal.js';
export type { WalkeeperErrorCode, WalkeeperErrorOptions } from './errors.js';
export { isWalkeeperError, WalkeeperError } from './errors.js';
export type {
  HealthInput,
  HealthReason,
  HealthReport,
  HealthStatus,
  HealthThresholds,
} from './health.js';
export { assessHealth, WAL_RESET_FIX_VERSION } from './health.js';
export type { HistogramSnapshot } from './histogram.js';
export { Histogram } from './histogram.js';
export {
  checkBoolean,
  checkEnum,
  checkInteger,
  checkKnownKeys,
  checkPlainObject,
  configError,
} from './internal/validate.js';
export type { CheckpointOutcome, PoolStats, WalkeeperStats } from './metrics.js';
export type {
  CheckpointOptions,
  HealthOptions,
  ReaderOptions,
  ResolvedOptions,
  WalkeeperOptions,
} from './options.js';
export type { PluginContext, QueryEvent, WalkeeperHooks, WalkeeperPlugin } from './plugin.js';
export type { PragmaName, PragmaOptions, Preset } from './pragmas.js';
export {
  applyPragmas,
  PRAGMA_TABLE,
  PRESETS,
  pragmaAssignments,
  validatePragmas,
} from './pragmas.js';
export type { PreparedRead } from './prepared-read.js';
export type { ReadOptions } from './read-pool.js';
export type { SchedulerStats } from './scheduler.js';
export { CheckpointScheduler } from './scheduler.js';
export type { CheckpointDecision, CheckpointStrategy, WalState } from './strategy.js';
export { composeStrategies, strongerDecision } from './strategy.js';
export type { WalSample } from './wal-sample.js';
export { compareVersions, readShmCounters } from './wal-sample.js';
export type { OptimizeResult } from './walkeeper.js';
export { openWalkeeper, Walkeeper } from './walkeeper.js';
export type { WriteTransaction } from './writer.js';
