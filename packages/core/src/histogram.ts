/**
 * A log-bucket latency histogram: recording is one `Math.log2` and an array increment, so it
 * can sit on the hot path. Buckets grow by 2^(1/8) (about 9%), which bounds a percentile's
 * error to half a bucket; values are milliseconds from 1 µs to about 18 minutes.
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

export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  record(ms: number): void {
    const v = Math.max(ms, MIN_MS);
    let index = Math.floor(Math.log2(v / MIN_MS) * STEPS_PER_OCTAVE);
    if (index >= BUCKETS) index = BUCKETS - 1;
    this.#counts[index]! += 1;
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
    const rank = q * this.#count;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank && this.#counts[i]! > 0) {
        const mid = MIN_MS * 2 ** ((i + 0.5) / STEPS_PER_OCTAVE);
        return Math.min(Math.max(mid, this.#min), this.#max);
      }
    }
    return this.#max;
  }

  /** Per-bucket counts with their upper bounds in ms, for exporters that want the shape. */
  buckets(): { upperMs: number; count: number }[] {
    const out: { upperMs: number; count: number }[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const count = this.#counts[i]!;
      if (count > 0) out.push({ upperMs: MIN_MS * 2 ** ((i + 1) / STEPS_PER_OCTAVE), count });
    }
    return out;
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
