/**
 * `@walkeeper/core/plugin-kit`: what plugin, adapter and tool authors build on, so that none
 * of them writes walkeeper's mechanisms again. The package root is the application's API.
 */
export type { CheckpointAttemptOptions } from '../checkpoint/attempt.js';
export { runCheckpoint, runCheckpointSync } from '../checkpoint/attempt.js';
export { checkpointResult, parseCheckpointRow } from '../checkpoint/result.js';
export type { NativeBinding } from '../define-driver.js';
export { defineDriver } from '../define-driver.js';
export { enableWal } from '../enable-wal.js';
export type { SparseBuckets } from '../histogram.js';
export {
  bucketBoundsMs,
  bucketIndex,
  bucketQuantile,
  EXPONENTIAL_INDEX_OFFSET,
  EXPONENTIAL_SCALE,
  Histogram,
  mergeBuckets,
} from '../histogram.js';
export { openError } from '../internal/sqlite-errors.js';
// The option validators (checkInteger, checkBoolean, checkEnum, checkPlainObject,
// checkKnownKeys, configError, describeValue): that file holds nothing else.
export * from '../internal/validate.js';
export type { TimedCheckpointOutcome } from '../metrics.js';
export type { OperationKind, OperationSeries } from '../operation-histograms.js';
export { failureName, MAX_FAILURE_TYPES } from '../operation-histograms.js';
export { readOperationName } from '../operation-name.js';
export type { StatementRoute } from '../statement-route.js';
export { routeStatement } from '../statement-route.js';
export type { TransactionRunnerOptions } from '../transaction-runner.js';
export { isThenable, TransactionRunner } from '../transaction-runner.js';
export { compareVersions, readShmCounters } from '../wal-sample.js';
export type { LiveHistograms } from './live-histograms.js';
export { liveHistogramsOf } from './live-histograms.js';
