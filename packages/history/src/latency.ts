/**
 * Query latencies of one interval: a log-bucket histogram (8 buckets per octave, about 9%
 * apart, from 1 µs to about 18 minutes) kept sparse once the interval ends, so a day of
 * samples stays small and intervals still merge exactly for a report's percentiles.
 */
const STEPS_PER_OCTAVE = 8;
const MIN_MS = 0.001;
const BUCKETS = 30 * STEPS_PER_OCTAVE;

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
  /** Sparse buckets, as pairs: bucket index, count, bucket index, count, ... (one array: small in memory). */
  readonly buckets: Uint32Array;
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

export class LatencyRecorder {
  readonly #counts = new Uint32Array(BUCKETS);
  readonly #slowMs: number;
  #count = 0;
  #errors = 0;
  #slow = 0;
  #max = 0;

  constructor(slowMs: number) {
    this.#slowMs = slowMs;
  }

  record(ms: number, failed: boolean): void {
    this.#counts[bucketOf(ms)]! += 1;
    this.#count++;
    if (failed) this.#errors++;
    if (ms > this.#slowMs) this.#slow++;
    if (ms > this.#max) this.#max = ms;
  }

  /** The interval so far, without ending it. */
  summary(): LatencySummary {
    if (this.#count === 0) return { ...EMPTY_LATENCY, errors: this.#errors };
    const buckets = sparse(this.#counts);
    return {
      count: this.#count,
      errors: this.#errors,
      slow: this.#slow,
      p50Ms: quantile(buckets, this.#count, 0.5, this.#max),
      p95Ms: quantile(buckets, this.#count, 0.95, this.#max),
      p99Ms: quantile(buckets, this.#count, 0.99, this.#max),
      maxMs: this.#max,
      buckets,
    };
  }

  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#errors = 0;
    this.#slow = 0;
    this.#max = 0;
  }
}

/** Several intervals as one: counts add, percentiles come from the merged buckets. */
export function mergeLatency(summaries: readonly LatencySummary[]): LatencySummary {
  const counts = new Float64Array(BUCKETS);
  let count = 0;
  let errors = 0;
  let slow = 0;
  let max = 0;
  for (const s of summaries) {
    count += s.count;
    errors += s.errors;
    slow += s.slow;
    if (s.maxMs > max) max = s.maxMs;
    for (let j = 0; j < s.buckets.length; j += 2) counts[s.buckets[j]!]! += s.buckets[j + 1]!;
  }
  if (count === 0) return { ...EMPTY_LATENCY, errors };
  const buckets = sparse(counts);
  return {
    count,
    errors,
    slow,
    p50Ms: quantile(buckets, count, 0.5, max),
    p95Ms: quantile(buckets, count, 0.95, max),
    p99Ms: quantile(buckets, count, 0.99, max),
    maxMs: max,
    buckets,
  };
}

function sparse(counts: ArrayLike<number>): Uint32Array {
  let used = 0;
  for (let i = 0; i < BUCKETS; i++) if (counts[i]! > 0) used++;
  const pairs = new Uint32Array(2 * used);
  for (let i = 0, j = 0; i < BUCKETS; i++) {
    if (counts[i]! > 0) {
      pairs[j++] = i;
      pairs[j++] = counts[i]!;
    }
  }
  return pairs;
}

function bucketOf(ms: number): number {
  const v = Math.max(ms, MIN_MS);
  const index = Math.floor(Math.log2(v / MIN_MS) * STEPS_PER_OCTAVE);
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** The bucket's geometric midpoint where rank `q` falls, never above the maximum seen. */
function quantile(
  buckets: LatencySummary['buckets'],
  total: number,
  q: number,
  max: number,
): number {
  const rank = q * total;
  let seen = 0;
  for (let j = 0; j < buckets.length; j += 2) {
    seen += buckets[j + 1]!;
    if (seen >= rank) {
      const mid = MIN_MS * 2 ** ((buckets[j]! + 0.5) / STEPS_PER_OCTAVE);
      return Math.min(mid, max);
    }
  }
  return max;
}
