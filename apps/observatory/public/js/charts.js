// @ts-check
// uPlot time charts that share one time axis: the same seconds, a synced cursor, one width.

import { WINDOW } from './live-series.js';

const SYNC_KEY = 'walkeeper-live';
const HEIGHT = 180;

/**
 * @typedef {object} SeriesSpec
 * @property {string} label
 * @property {string} stroke
 * @property {number[]} [dash]
 * @property {string} [fill]
 * @property {'line' | 'bars'} [kind]
 */

/**
 * A live chart: created empty, then `update()` with the current columns each second.
 * @param {HTMLElement} container
 * @param {{ series: SeriesSpec[], unit?: string, log?: boolean, plugins?: uPlot.Plugin[] }} spec
 */
export function liveChart(container, spec) {
  const bars = uPlot.paths.bars?.({ size: [0.8, 8] });
  /** @type {uPlot.Options} */
  const options = {
    width: Math.max(200, container.clientWidth),
    height: HEIGHT,
    cursor: { sync: { key: SYNC_KEY } },
    legend: { live: true },
    scales: {
      // The last WINDOW seconds (what there is of them), ending now: once full, the lines scroll.
      x: {
        time: true,
        range: (u) => {
          const xs = u.data[0];
          const last = xs[xs.length - 1] ?? Date.now() / 1000;
          const first = xs[0] ?? last;
          return [Math.max(first, last - WINDOW), Math.max(last, first + 10)];
        },
      },
      // A log scale for latencies (a p99 spike would flatten a linear one); an empty chart still
      // needs a range, or uPlot has no axis to draw.
      y: spec.log
        ? { distr: 3, log: 10, range: (_u, min, max) => logRange(min, max) }
        : { range: (_u, _min, max) => [0, Math.max(1, (max ?? 0) * 1.1)] },
    },
    axes: [
      {
        stroke: '#8a94a6',
        grid: { stroke: '#2a3140' },
        ticks: { stroke: '#2a3140' },
        // Whole seconds and up: the data is one point a second.
        space: 70,
        incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600],
      },
      {
        stroke: '#8a94a6',
        grid: { stroke: '#2a3140' },
        ticks: { stroke: '#2a3140' },
        size: 56,
        values: (_u, splits) => splits.map((v) => `${formatTick(v)}${spec.unit ?? ''}`),
      },
    ],
    series: [
      {},
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: 1.5,
        ...(s.dash ? { dash: s.dash } : {}),
        ...(s.fill ? { fill: s.fill } : {}),
        ...(s.kind === 'bars' && bars ? { paths: bars } : {}),
        spanGaps: false,
        points: { show: false },
      })),
    ],
    plugins: spec.plugins ?? [],
  };
  const empty = /** @type {uPlot.AlignedData} */ ([[], ...spec.series.map(() => [])]);
  const chart = new uPlot(options, empty, container);
  new ResizeObserver(() => {
    chart.setSize({ width: Math.max(200, container.clientWidth), height: HEIGHT });
  }).observe(container);
  let points = 0;
  return {
    /** @param {uPlot.AlignedData} data */
    update(data) {
      chart.setData(data);
      points = data[0].length;
      // What the browser tests read: how many seconds this chart shows.
      container.dataset.points = String(points);
    },
    get points() {
      return points;
    },
  };
}

/**
 * @param {number | null} min
 * @param {number | null} max
 * @returns {uPlot.Range.MinMax}
 */
function logRange(min, max) {
  if (min === null || max === null || !(min > 0)) return [0.01, 10];
  const low = 10 ** Math.floor(Math.log10(min));
  const high = 10 ** Math.ceil(Math.log10(max));
  return [low, high > low ? high : low * 10];
}

/** @param {number | null} value */
function formatTick(value) {
  if (value === null) return '';
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return `${(value / 1000).toFixed(1)}k`;
  if (Math.abs(value) >= 10) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(1);
  return value.toPrecision(1);
}
