// @ts-check
// The first screen: walkeeper's health at a glance, live from /api/live (Server-Sent Events,
// one tick a second), drawn with uPlot on one shared time axis.

import { liveChart } from './charts.js';
import { checkpointMarks, OUTCOME_COLORS } from './checkpoint-marks.js';
import { append, byId, el, fill } from './dom.js';
import { bytes, count, millis } from './format.js';
import { LiveSeries } from './live-series.js';

/** @typedef {import('./types').LiveTick} LiveTick */

const CARDS = [
  ['wal', 'WAL'],
  ['checkpoints', 'Checkpoints (1 min)'],
  ['reads', 'Reads p95'],
  ['writes', 'Writes p95'],
  ['pool', 'Read pool'],
  ['ingest', 'Ingested'],
  ['health', 'Health'],
];

export function startDashboard() {
  const data = new LiveSeries();
  /** @type {Record<string, HTMLElement>} */
  const values = {};
  /** @type {Record<string, HTMLElement>} */
  const notes = {};
  fill(
    byId('cards'),
    CARDS.map(([key, label]) => {
      values[key ?? ''] = el('strong', { id: `stat-${key}` });
      notes[key ?? ''] = el('small', { id: `stat-${key}-note` });
      return el(
        'div',
        { class: 'card' },
        el('span', {}, label),
        values[key ?? ''],
        notes[key ?? ''],
      );
    }),
  );
  fill(
    byId('checkpoint-legend'),
    Object.entries(OUTCOME_COLORS).map(([outcome, color]) =>
      el('span', { class: `swatch swatch-${outcome}`, 'data-color': color }, outcome),
    ),
  );
  append(byId('checkpoint-legend'), [' · P passive, F full, R restart, T truncate']);

  const charts = {
    wal: liveChart(byId('chart-wal'), {
      unit: ' MiB',
      series: [
        { label: 'WAL', stroke: '#4ea1ff', fill: 'rgba(78,161,255,0.15)' },
        { label: 'cap', stroke: '#d43c3c', dash: [6, 4] },
      ],
      plugins: [checkpointMarks(() => data.checkpoints)],
    }),
    reads: liveChart(byId('chart-reads'), { log: true, series: latencySeries() }),
    writes: liveChart(byId('chart-writes'), { log: true, series: latencySeries() }),
    pool: liveChart(byId('chart-pool'), {
      series: [
        { label: 'in use', stroke: '#4ea1ff', fill: 'rgba(78,161,255,0.15)' },
        { label: 'queue', stroke: '#e0a100' },
        { label: 'size', stroke: '#8a94a6', dash: [6, 4] },
      ],
    }),
    ingest: liveChart(byId('chart-ingest'), {
      series: [
        { label: 'this second', stroke: '#2e9d5b', fill: 'rgba(46,157,91,0.5)', kind: 'bars' },
        { label: '10 s average', stroke: '#c792ea' },
      ],
    }),
  };

  const redraw = () => {
    charts.wal.update([data.time, data.walMiB, data.capMiB]);
    charts.reads.update([data.time, ...data.reads]);
    charts.writes.update([data.time, ...data.writes]);
    charts.pool.update([data.time, data.poolUsed, data.poolPending, data.poolSize]);
    charts.ingest.update([data.time, data.ingested, data.ingestRate]);
    if (data.last) showCurrent(data.last, data, values, notes);
    document.body.dataset.ticks = String(data.received);
  };

  connect({
    backfill(ticks) {
      for (const tick of ticks) data.push(tick);
      redraw();
    },
    tick(tick) {
      data.push(tick);
      redraw();
    },
  });
}

/** @returns {import('./charts.js').SeriesSpec[]} */
function latencySeries() {
  return [
    { label: 'p50', stroke: '#2e9d5b' },
    { label: 'p95', stroke: '#e0a100' },
    { label: 'p99', stroke: '#d43c3c' },
  ];
}

/**
 * The event stream, with its state on the header's indicator. EventSource reconnects by itself;
 * each (re)connection starts with a backfill, so the series restart from it.
 * @param {{ backfill(ticks: LiveTick[]): void, tick(tick: LiveTick): void }} on
 */
function connect(on) {
  const indicator = byId('connection');
  const source = new EventSource('/api/live');
  const state = (/** @type {string} */ name, /** @type {string} */ text) => {
    indicator.dataset.state = name;
    indicator.textContent = text;
  };
  source.addEventListener('open', () => state('live', 'live'));
  source.addEventListener('error', () => state('down', 'reconnecting…'));
  source.addEventListener('backfill', (event) => {
    on.backfill(/** @type {LiveTick[]} */ (JSON.parse(event.data)));
  });
  source.addEventListener('tick', (event) => {
    on.tick(/** @type {LiveTick} */ (JSON.parse(event.data)));
  });
}

/**
 * @param {LiveTick} tick
 * @param {LiveSeries} data
 * @param {Record<string, HTMLElement>} values
 * @param {Record<string, HTMLElement>} notes
 */
function showCurrent(tick, data, values, notes) {
  const set = (
    /** @type {string} */ key,
    /** @type {string} */ value,
    /** @type {string} */ note,
  ) => {
    const v = values[key];
    const n = notes[key];
    if (v) v.textContent = value;
    if (n) n.textContent = note;
  };
  const capShare = tick.wal.capBytes > 0 ? tick.wal.bytes / tick.wal.capBytes : 0;
  set(
    'wal',
    bytes(tick.wal.bytes),
    `cap ${bytes(tick.wal.capBytes)} (${Math.round(capShare * 100)}%)`,
  );
  const totals = data.checkpointTotals(60);
  set(
    'checkpoints',
    count((totals.complete ?? 0) + (totals.busy ?? 0) + (totals.error ?? 0)),
    `${totals.complete ?? 0} complete · ${totals.busy ?? 0} busy · ${totals.error ?? 0} failed`,
  );
  set(
    'reads',
    tick.reads.count ? millis(tick.reads.p95Ms) : '—',
    `${count(tick.reads.count)} in the last second`,
  );
  set(
    'writes',
    tick.writes.count ? millis(tick.writes.p95Ms) : '—',
    `${count(tick.writes.count)} in the last second`,
  );
  set(
    'pool',
    `${tick.pool.used} / ${tick.pool.size}`,
    `queue ${tick.pool.pending} of ${tick.pool.maxQueue}`,
  );
  set(
    'ingest',
    count(tick.ingest.messages),
    `${tick.ingest.messagesPerSecond}/s · ${tick.ingest.state} · ${count(tick.ingest.files)} files`,
  );
  set('health', tick.health.status, tick.health.reasons.join(', ') || 'no problems');
  values.health?.setAttribute('data-status', tick.health.status);

  const list = byId('alerts');
  fill(
    list,
    tick.alerts.length === 0
      ? [el('li', { class: 'none' }, 'No alerts.')]
      : tick.alerts.map((alert) =>
          el(
            'li',
            { class: `alert alert-${alert.severity}` },
            el('b', {}, alert.severity),
            ' ',
            el('code', {}, alert.code),
            ' ',
            alert.message,
            el('small', {}, alert.advice),
          ),
        ),
  );
}
