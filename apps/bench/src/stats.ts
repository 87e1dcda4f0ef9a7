/** The middle value (mean of the two middle ones for an even count). Throws on no samples. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median of `numerator[i] / denominator[i]`. Both sides of a round ran back to back, so
 * noise that slowed the machine during that round hits both; pairing cancels it where a ratio
 * of two independent medians would not.
 */
export function pairedRatio(numerator: readonly number[], denominator: readonly number[]): number {
  if (numerator.length !== denominator.length) throw new Error('paired samples differ in length');
  return median(numerator.map((value, i) => value / denominator[i]!));
}

/** Rounds for display and JSON: enough digits to compare runs, no float noise. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The nearest-rank percentile (`p` in 0..100) of the samples. Throws on no samples. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1]!;
}
