/**
 * A log-bucket latency histogram: recording is one `Math.log2` and an array increment, so it
 * can sit on the hot path. Buckets grow by 2^(1/8) (about 9%), which bounds a percentile's
 * error to half a bucket; values are milliseconds from 2^-20 s (0.95 µs) to 2^10 s (17
 * minutes). Its buckets come out sparse (`sparseBuckets()`: index, count pairs) and merge
 * exactly, so a history of intervals, or an exporter's collection, can add them up without
 * re-timing anything.
 *
 * The edges are powers of 2^(1/8) seconds and a bucket holds (lower, upper], which is
 * OpenTelemetry's exponential histogram at scale 3: bucket `i` is its index
 * `i + EXPONENTIAL_INDEX_OFFSET`, so an exporter hands the buckets over unchanged. Bucket 0
 * also holds every value at or below its lower edge (zero included).
 */
const STEPS_PER_OCTAVE = 8;
/** 2^-20 seconds, in milliseconds: a power of two in the exported unit. */
const MIN_MS = 1000 * 2 ** -20;
const BUCKETS = 30 * STEPS_PER_OCTAVE;

/** OpenTelemetry's exponential histogram scale of these buckets: base 2^(2^-3). */
export const EXPONENTIAL_SCALE = 3;
/** A bucket's OpenTelemetry exponential index (values in seconds) is its index plus this. */
export const EXPONENTIAL_INDEX_OFFSET = -20 * STEPS_PER_OCTAVE;

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
  // Upper edges inclusive, as OpenTelemetry's exponential buckets: ceil - 1, not floor.
  const index = Math.ceil(Math.log2(ms / MIN_MS) * STEPS_PER_OCTAVE) - 1;
  if (!(index > 0)) return 0; // also NaN and -Infinity (a zero duration)
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** A bucket's bounds in milliseconds: it holds values above `lowerMs` up to `upperMs`. */
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

  get sumMs(): number {
    return this.#sum;
  }

  /** The smallest value recorded; 0 when empty. */
  get minMs(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  get maxMs(): number {
    return this.#max;
  }

  /** Adds another histogram's recordings to this one. */
  add(other: Histogram): void {
    if (other.#count === 0) return;
    const counts = this.#counts;
    const theirs = other.#counts;
    for (let i = 0; i < BUCKETS; i++) counts[i]! += theirs[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
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
      minMs: this.minMs,
      maxMs: this.#max,
      p50Ms: this.quantile(0.5),
      p95Ms: this.quantile(0.95),
      p99Ms: this.quantile(0.99),
    };
  }
}
