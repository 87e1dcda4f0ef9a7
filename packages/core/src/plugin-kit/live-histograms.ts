import type { CheckpointMode } from '../checkpoint/result.js';
import type { Histogram } from '../histogram.js';
import { coreOf } from '../internal/core-registry.js';
import type { TimedCheckpointOutcome } from '../metrics.js';
import type { OperationSeries } from '../operation-histograms.js';
import type { Walkeeper } from '../walkeeper.js';

/**
 * The histograms walkeeper records into, live: an exporter reads them when it collects
 * instead of recording every operation again. Read them; never record into them.
 */
export interface LiveHistograms {
  /** Operation latency by kind, read operation and failure. Grows as new ones appear. */
  readonly operations: readonly OperationSeries[];
  /** From `read()` to a connection taking the read, per pooled read. */
  readonly poolWaitTime: Histogram;
  /** Time a connection spent on each pooled read. */
  readonly poolUseTime: Histogram;
  /** Checkpoints that ran, by mode and outcome. */
  readonly checkpointDuration: Readonly<
    Record<CheckpointMode, Readonly<Record<TimedCheckpointOutcome, Histogram>>>
  >;
}

/**
 * The live histograms of a walkeeper made by `openWalkeeper()`. From this call on, every
 * prepared read is timed (without a reader of the histograms, one in 16 is), so the
 * histograms hold every operation: call it in a plugin's `setup`, before reads open.
 */
export function liveHistogramsOf(walkeeper: Walkeeper): LiveHistograms {
  const { metrics } = coreOf(walkeeper);
  metrics.timeEveryRead = true;
  return {
    get operations() {
      return metrics.operations.all;
    },
    poolWaitTime: metrics.poolWaitTime,
    poolUseTime: metrics.poolUseTime,
    checkpointDuration: metrics.checkpointDurationByMode,
  };
}
