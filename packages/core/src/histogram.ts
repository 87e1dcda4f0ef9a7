/**
 * A log-bucket latency histogram: recording is one `Math.log2` and an array increment, so it
 * can sit on the hot path. Buckets grow by 2^(1/8) (about 9%), which bounds a percentile's
 * error to half a bucket; values are milliseconds from 1 µs to about 18 minutes. Its buckets
 * come out sparse (`sparseBuckets()`: index, count pairs) and merge exactly, so a history of
 * intervals, or an exporter's collection, can add them up without re-timing anything.
 */
const STEPS_PER_OCTAVE = 8;
const MIN_MS = 0.001;
const BUCKETS = 30 * STEPS_PER_OCTAVE;

export interface HistogramSnapshot {
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Sparse buckets as pairs in one array: bucket index, count, bucket index, count, … */
export type SparseBuckets = Uint32Array;

/** The bucket a value in milliseconds falls in. */
export function bucketIndex(ms: number): number {
  const v = Math.max(ms, MIN_MS);
  const index = Math.floor(Math.log2(v / MIN_MS) * STEPS_PER_OCTAVE);
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** A bucket's bounds in milliseconds: it holds values from `lowerMs` up to `upperMs`. */
export function bucketBoundsMs(index: number): { lowerMs: number; upperMs: number } {
  return {
    lowerMs: index === 0 ? 0 : MIN_MS * 2 ** (index / STEPS_PER_OCTAVE),
    upperMs: MIN_MS * 2 ** ((index + 1) / STEPS_PER_OCTAVE),
  };
}

/** Several sparse bucket sets as one: counts add. */
export function mergeBuckets(sets: readonly SparseBuckets[]): SparseBuckets {
  const counts = new Float64Array(BUCKETS);
  for (const pairs of sets) {
    for (let j = 0; j < pairs.length; j += 2) counts[pairs[j]!]! += pairs[j + 1]!;
  }
  return sparse(counts);
}

/**
 * The value below which `q` (0..1) of `total` recordings fall: the geometric midpoint of the
 * bucket where that rank lands, kept within the smallest and largest values seen.
 */
export function bucketQuantile(
  pairs: SparseBuckets,
  total: number,
  q: number,
  minMs: number,
  maxMs: number,
): number {
  if (total === 0) return 0;
  const rank = q * total;
  let seen = 0;
  for (let j = 0; j < pairs.length; j += 2) {
    seen += pairs[j + 1]!;
    if (seen >= rank) {
      const mid = MIN_MS * 2 ** ((pairs[j]! + 0.5) / STEPS_PER_OCTAVE);
      return Math.min(Math.max(mid, minMs), maxMs);
    }
  }
  return maxMs;
}

function sparse(counts: ArrayLike<number>): SparseBuckets {
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

export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  record(ms: number): void {
    this.#counts[bucketIndex(ms)]! += 1;
    this.#count += 1;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#count;
  }

  /** The value below which `q` (0..1) of the recordings fall, at the bucket's midpoint. */
  quantile(q: number): number {
    if (this.#count === 0) return 0;
    if (q <= 0) return this.#min;
    if (q >= 1) return this.#max;
    return bucketQuantile(this.sparseBuckets(), this.#count, q, this.#min, this.#max);
  }

  /** The buckets that hold recordings, as index, count pairs. */
  sparseBuckets(): SparseBuckets {
    return sparse(this.#counts);
  }

  snapshot(): HistogramSnapshot {
    return {
      count: this.#count,
      sumMs: this.#sum,
      minMs: this.#count === 0 ? 0 : this.#min,
      maxMs: this.#max,
      p50Ms: this.quantile(0.5),
      p95Ms: this.quantile(0.95),
      p99Ms: this.quantile(0.99),
    };
  }
}
