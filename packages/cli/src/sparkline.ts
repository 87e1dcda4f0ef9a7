const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of `values` (the last `width`), scaled from 0 to their maximum. */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.slice(-Math.max(0, width));
  const max = Math.max(0, ...shown);
  return shown
    .map((value) => {
      if (max === 0 || value <= 0) return BARS[0];
      const index = Math.min(BARS.length - 1, Math.ceil((value / max) * BARS.length) - 1);
      return BARS[Math.max(0, index)];
    })
    .join('');
}
