import { join } from 'node:path';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { otelMetricProducer, otelMetrics } from '@walkeeper/otel';
import { applyWalkeeperPragmas } from '../baseline-pragmas.js';
import { randomIds } from '../ids.js';
import { type Contender, interleavedRates } from '../interleave.js';
import type { RawDatabase } from '../runtime.js';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { median, pairedRatio, round } from '../stats.js';

const ITEMS = 50_000;
const SCHEMA = `
  CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score INTEGER NOT NULL);
  CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL);
`;
const POINT_SQL = 'SELECT id, name, score FROM items WHERE id = ?';
const INSERT_SQL = 'INSERT INTO events (at, body) VALUES (?, ?)';
const SEED_SQL = 'INSERT INTO items (name, score) VALUES (?, ?)';
/** About the size of a small log line or chat message. */
const BODY = 'walkeeper overhead benchmark row '.repeat(3);
/** Odd, so the median is one measured round. */
const ROUNDS = 7;
const ID_MASK = 0xffff;
/**
 * `--otel` adds two point contenders: walkeeper with `@walkeeper/otel` on a real SDK
 * MeterProvider, through the recommended producer (`wkOtel`) and with per-call instruments
 * (`wkOtelInstruments`). main.ts has already checked the flag (cli.ts); scenarios get no flags.
 */
const WITH_OTEL = process.argv.slice(2).includes('--otel');
/** Slices per round: two point contenders (four with --otel), three insert contenders. */
const SLICES_PER_ROUND = WITH_OTEL ? 7 : 5;
/** How often the SDK collects and exports while --otel measures: collections are part of the cost. */
const OTEL_EXPORT_INTERVAL_MS = 1000;

/**
 * What walkeeper costs on its two hottest paths, next to raw better-sqlite3 doing the same
 * work: a point select through the light read path (`prepareRead().get()`), and a single-row
 * write transaction through `write()` against prepared BEGIN IMMEDIATE / INSERT / COMMIT with
 * the same pragmas. Built-in metrics are on, as they always are.
 */
export const overhead: Scenario = {
  name: 'overhead',
  summary: 'point select and single-row write transaction vs the raw driver',
  defaultSeconds: 10,
  targets: [
    { path: 'ratios.pointQuery', op: '>=', threshold: 0.9 },
    { path: 'ratios.insert', op: '>=', threshold: 0.9 },
    ...(WITH_OTEL ? [{ path: 'ratios.pointQueryOtel', op: '>=' as const, threshold: 0.9 }] : []),
  ],
  run: runOverhead,
};

async function runOverhead({
  seconds,
  runtime,
  dir,
  log,
}: ScenarioContext): Promise<ScenarioOutcome> {
  const sliceMs = (seconds * 1000) / (ROUNDS * SLICES_PER_ROUND);
  const warmupMs = Math.min(250, sliceMs);
  const raw = runtime.openRaw(join(dir, 'raw.db'));
  applyWalkeeperPragmas(raw);
  raw.exec(SCHEMA);
  const defaultConfig = runtime.openRaw(join(dir, 'default-config.db'));
  // SQLite's own defaults, spelled out: a rollback journal synced in full on every commit.
  defaultConfig.pragma('journal_mode = DELETE');
  defaultConfig.pragma('synchronous = FULL');
  defaultConfig.exec(SCHEMA);
  const wk = await openWalkeeper({ path: join(dir, 'walkeeper.db'), driver: runtime.driver() });
  const otel = WITH_OTEL
    ? await openWithOtel(join(dir, 'walkeeper-otel.db'), runtime, 'producer')
    : undefined;
  const otelInstruments = WITH_OTEL
    ? await openWithOtel(join(dir, 'walkeeper-otel-instruments.db'), runtime, 'instruments')
    : undefined;
  try {
    wk.write((tx) => tx.exec(SCHEMA));
    seedRaw(raw);
    await seedWalkeeper(wk);
    for (const side of [otel, otelInstruments]) {
      if (!side) continue;
      side.wk.write((tx) => tx.exec(SCHEMA));
      await seedWalkeeper(side.wk);
    }
    const ids = randomIds(ID_MASK + 1, ITEMS);

    log(`overhead: point selects, ${ROUNDS} rounds of ${sliceMs.toFixed(0)} ms each side`);
    const rawPoint = raw.prepare(POINT_SQL);
    const wkPoint = wk.prepareRead(POINT_SQL);
    const otelPoint = otel?.wk.prepareRead(POINT_SQL);
    const otelInstrumentsPoint = otelInstruments?.wk.prepareRead(POINT_SQL);
    const points = await interleavedRates(
      [
        { name: 'raw', batch: 256, op: (i) => rawPoint.get(ids[i & ID_MASK]) },
        { name: 'wk', batch: 256, op: (i) => wkPoint.get([ids[i & ID_MASK]]) },
        ...(otelPoint
          ? [{ name: 'wkOtel', batch: 256, op: (i: number) => otelPoint.get([ids[i & ID_MASK]]) }]
          : []),
        ...(otelInstrumentsPoint
          ? [
              {
                name: 'wkOtelInstruments',
                batch: 256,
                op: (i: number) => otelInstrumentsPoint.get([ids[i & ID_MASK]]),
              },
            ]
          : []),
      ],
      { rounds: ROUNDS, sliceMs, warmupMs },
    );

    log(`overhead: single-row inserts, ${ROUNDS} rounds of ${sliceMs.toFixed(0)} ms each side`);
    const inserts = await interleavedRates(
      [
        preparedInsert('raw', raw, 16),
        { name: 'wk', batch: 16, op: (i) => wk.write((tx) => tx.run(INSERT_SQL, [i, BODY])) },
        // Each commit here waits for several fsyncs, so read the clock after every one.
        preparedInsert('defaultConfig', defaultConfig, 1),
      ],
      { rounds: ROUNDS, sliceMs, warmupMs: Math.min(warmupMs, 50) },
    );

    const get = (rates: Map<string, number[]>, name: string) => rates.get(name)!;
    const withOtel: { results: Record<string, number>; ratios: Record<string, number> } = otel
      ? {
          results: {
            wkOtelPointQps: Math.round(median(get(points, 'wkOtel'))),
            wkOtelInstrumentsPointQps: Math.round(median(get(points, 'wkOtelInstruments'))),
          },
          ratios: {
            pointQueryOtel: round(pairedRatio(get(points, 'wkOtel'), get(points, 'raw'))),
            pointQueryOtelInstruments: round(
              pairedRatio(get(points, 'wkOtelInstruments'), get(points, 'raw')),
            ),
          },
        }
      : { results: {}, ratios: {} };
    return {
      results: {
        rawPointQps: Math.round(median(get(points, 'raw'))),
        wkPointQps: Math.round(median(get(points, 'wk'))),
        ...withOtel.results,
        rawInsertTps: Math.round(median(get(inserts, 'raw'))),
        wkInsertTps: Math.round(median(get(inserts, 'wk'))),
        defaultConfigInsertTps: Math.round(median(get(inserts, 'defaultConfig'))),
      },
      ratios: {
        pointQuery: round(pairedRatio(get(points, 'wk'), get(points, 'raw'))),
        insert: round(pairedRatio(get(inserts, 'wk'), get(inserts, 'raw'))),
        insertVsDefaultConfig: round(
          pairedRatio(get(inserts, 'wk'), get(inserts, 'defaultConfig')),
        ),
        ...withOtel.ratios,
      },
    };
  } finally {
    await otel?.close();
    await otelInstruments?.close();
    await wk.close();
    raw.close();
    defaultConfig.close();
  }
}

/** The baseline's write transaction: what a careful better-sqlite3 user writes by hand. */
function preparedInsert(name: string, db: RawDatabase, batch: number): Contender {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const insert = db.prepare(INSERT_SQL);
  const commit = db.prepare('COMMIT');
  return {
    name,
    batch,
    op: (i) => {
      begin.run();
      insert.run(i, BODY);
      commit.run();
    },
  };
}

/**
 * walkeeper with `otelMetrics()` on a real SDK MeterProvider that collects and exports (to
 * memory, delta temporality) every second, as an application's exporter would: through the
 * plugin's producer (the recommended path), or with `db.client.operation.duration` recorded
 * per call through an SDK Histogram (`instruments`) and the rest through the producer.
 */
async function openWithOtel(
  path: string,
  runtime: ScenarioContext['runtime'],
  via: 'producer' | 'instruments',
): Promise<{ wk: Walkeeper; close(): Promise<void> }> {
  const producer = otelMetricProducer({ temporality: AggregationTemporality.DELTA });
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.DELTA),
    exportIntervalMillis: OTEL_EXPORT_INTERVAL_MS,
    metricProducers: [producer],
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const plugin = otelMetrics({
    producers: [producer],
    ...(via === 'instruments' ? { instruments: { meterProvider } } : {}),
  });
  const wk = await openWalkeeper({ path, driver: runtime.driver(), plugins: [plugin] });
  return {
    wk,
    async close() {
      await wk.close();
      await meterProvider.shutdown();
    },
  };
}

const seedRow = (i: number) => [`item ${i}`, (i * 7919) % 1000];

/**
 * The same rows on every side, then a TRUNCATE checkpoint so the rows live in the database
 * file and no side starts its reads with a WAL to search.
 */
function seedRaw(raw: RawDatabase): void {
  const insert = raw.prepare(SEED_SQL);
  raw.exec('BEGIN IMMEDIATE');
  for (let i = 1; i <= ITEMS; i++) insert.run(...seedRow(i));
  raw.exec('COMMIT');
  raw.pragma('wal_checkpoint(TRUNCATE)');
}

async function seedWalkeeper(wk: Walkeeper): Promise<void> {
  wk.write((tx) => {
    for (let i = 1; i <= ITEMS; i++) tx.run(SEED_SQL, seedRow(i));
  });
  await wk.checkpoint('TRUNCATE');
}
