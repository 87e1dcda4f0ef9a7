import {
  bucketQuantile,
  Histogram,
  mergeBuckets,
  type SparseBuckets,
} from '@walkeeper/core/plugin-kit';

/** A finished interval's latencies. */
export interface LatencySummary {
  count: number;
  errors: number;
  /** Queries slower than the history's `slowQueryMs`. */
  slow: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /**
   * Core's sparse histogram buckets (index, count pairs in one array: a day of samples stays
   * small), so intervals merge exactly for a report's percentiles.
   */
  readonly buckets: SparseBuckets;
}

export const EMPTY_LATENCY: LatencySummary = Object.freeze({
  count: 0,
  errors: 0,
  slow: 0,
  p50Ms: 0,
  p95Ms: 0,
  p99Ms: 0,
  maxMs: 0,
  buckets: new Uint32Array(0),
});

/** Query latencies of one interval, in core's histogram, with the history's own counters. */
export class LatencyRecorder {
  readonly #slowMs: number;
  #histogram = new Histogram();
  #errors = 0;
  #slow = 0;

  constructor(slowMs: number) {
    this.#slowMs = slowMs;
  }

  record(ms: number, failed: boolean): void {
    this.#histogram.record(ms);
    if (failed) this.#errors++;
    if (ms > this.#slowMs) this.#slow++;
  }

  /** The interval so far, without ending it. */
  summary(): LatencySummary {
    const histogram = this.#histogram;
    return summarise(
      histogram.sparseBuckets(),
      histogram.count,
      this.#errors,
      this.#slow,
      histogram.snapshot().maxMs,
    );
  }

  reset(): void {
    this.#histogram = new Histogram();
    this.#errors = 0;
    this.#slow = 0;
  }
}

/** Several intervals as one: counts add, percentiles come from the merged buckets. */
export function mergeLatency(summaries: readonly LatencySummary[]): LatencySummary {
  let count = 0;
  let errors = 0;
  let slow = 0;
  let max = 0;
  for (const s of summaries) {
    count += s.count;
    errors += s.errors;
    slow += s.slow;
    if (s.maxMs > max) max = s.maxMs;
  }
  return summarise(mergeBuckets(summaries.map((s) => s.buckets)), count, errors, slow, max);
}

/**
 * Percentiles at the bucket's geometric midpoint, never above the maximum seen (a summary
 * keeps no minimum: merged intervals would need one each).
 */
function summarise(
  buckets: SparseBuckets,
  count: number,
  errors: number,
  slow: number,
  maxMs: number,
): LatencySummary {
  if (count === 0) return { ...EMPTY_LATENCY, errors };
  const quantile = (q: number) => bucketQuantile(buckets, count, q, 0, maxMs);
  return {
    count,
    errors,
    slow,
    p50Ms: quantile(0.5),
    p95Ms: quantile(0.95),
    p99Ms: quantile(0.99),
    maxMs,
    buckets,
  };
}
