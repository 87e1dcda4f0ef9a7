import type { ExponentialHistogram, Histogram as OtelHistogram } from '@opentelemetry/sdk-metrics';
import {
  bucketBoundsMs,
  EXPONENTIAL_INDEX_OFFSET,
  EXPONENTIAL_SCALE,
  type Histogram,
} from '@walkeeper/core/plugin-kit';

/** How a producer shapes histogram points. */
export type HistogramShape = 'explicit' | 'exponential';

/** What a histogram held at one collection, in milliseconds: enough to subtract from later. */
export interface HistogramReading {
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  /** Bucket counts by core bucket index (dense; bucket index 0 first). */
  buckets: Float64Array;
}

export function readHistogram(histogram: Histogram): HistogramReading {
  const pairs = histogram.sparseBuckets();
  const last = pairs.length === 0 ? -1 : pairs[pairs.length - 2]!;
  const buckets = new Float64Array(last + 1);
  for (let j = 0; j < pairs.length; j += 2) buckets[pairs[j]!] = pairs[j + 1]!;
  return {
    count: histogram.count,
    sumMs: histogram.sumMs,
    minMs: histogram.minMs,
    maxMs: histogram.maxMs,
    buckets,
  };
}

/**
 * What was recorded between two readings of one histogram. Count, sum and buckets subtract
 * exactly. The interval's minimum is known exactly only when the all-time minimum moved in it
 * (then the new one is the interval's); otherwise it is left off, as OpenTelemetry allows,
 * rather than reported wrong. The maximum likewise.
 */
export function difference(
  now: HistogramReading,
  before: HistogramReading,
): HistogramReading & { minKnown: boolean; maxKnown: boolean } {
  const buckets = new Float64Array(now.buckets.length);
  for (let i = 0; i < buckets.length; i++) buckets[i] = now.buckets[i]! - (before.buckets[i] ?? 0);
  return {
    count: now.count - before.count,
    sumMs: now.sumMs - before.sumMs,
    minMs: now.minMs,
    maxMs: now.maxMs,
    buckets,
    minKnown: before.count === 0 || now.minMs < before.minMs,
    maxKnown: before.count === 0 || now.maxMs > before.maxMs,
  };
}

/** Explicit buckets at `boundaries` (seconds) from core's log buckets. */
export function explicitPoint(
  reading: HistogramReading,
  boundaries: readonly number[],
  extremes: { min: boolean; max: boolean },
): OtelHistogram {
  const counts = new Array<number>(boundaries.length + 1).fill(0);
  for (let k = 0; k < reading.buckets.length; k++) {
    const count = reading.buckets[k]!;
    if (count === 0) continue;
    counts[explicitBucketOf(k, boundaries)]! += count;
  }
  return {
    buckets: { boundaries: [...boundaries], counts },
    count: reading.count,
    sum: reading.sumMs / 1000,
    ...(extremes.min ? { min: reading.minMs / 1000 } : {}),
    ...(extremes.max ? { max: reading.maxMs / 1000 } : {}),
  };
}

/**
 * The explicit bucket a core bucket's values count in. Most core buckets (9% wide) lie inside
 * one explicit bucket; the one that straddles a boundary counts where its geometric middle
 * falls, so a value up to 9% from an advised boundary may count on the other side of it.
 */
function explicitBucketOf(coreIndex: number, boundaries: readonly number[]): number {
  // Edges are 2^(1/8) apart: the geometric middle is 2^(1/16) below the upper edge.
  const middleSeconds = (bucketBoundsMs(coreIndex).upperMs * 2 ** (-1 / 16)) / 1000;
  let j = 0;
  while (j < boundaries.length && middleSeconds > boundaries[j]!) j++;
  return j;
}

/**
 * The same buckets as an exponential histogram at scale 3: core's buckets are OpenTelemetry's
 * there (edges at powers of 2^(1/8) seconds, upper edges inclusive), so counts carry over
 * one to one, only offset.
 */
export function exponentialPoint(
  reading: HistogramReading,
  extremes: { min: boolean; max: boolean },
): ExponentialHistogram {
  let first = 0;
  while (first < reading.buckets.length && reading.buckets[first] === 0) first++;
  const bucketCounts = Array.from(reading.buckets.subarray(first));
  return {
    count: reading.count,
    sum: reading.sumMs / 1000,
    scale: EXPONENTIAL_SCALE,
    zeroCount: 0,
    positive: { offset: first + EXPONENTIAL_INDEX_OFFSET, bucketCounts },
    negative: { offset: 0, bucketCounts: [] },
    ...(extremes.min ? { min: reading.minMs / 1000 } : {}),
    ...(extremes.max ? { max: reading.maxMs / 1000 } : {}),
  };
}
