import { join } from 'node:path';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { applyWalkeeperPragmas } from '../baseline-pragmas.js';
import { type ClientsMeasurement, runClients } from '../clients.js';
import { interleaved } from '../interleave.js';
import type { BenchRuntime } from '../runtime.js';
import type { ResultTree, Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { median, pairedRatio, round } from '../stats.js';

/** Concurrent callers: request handlers of a web server, each awaiting its own insert. */
const CLIENTS = 100;
/** Odd, so the median is one measured round. */
const ROUNDS = 5;
const SCHEMA =
  'CREATE TABLE events (id INTEGER PRIMARY KEY, client INTEGER NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL)';
const INSERT_SQL = 'INSERT INTO events (client, at, body) VALUES (?, ?, ?)';
const FILLER = 'lorem ipsum dolor sit amet '.repeat(8);

type Synchronous = 'FULL' | 'NORMAL';
const VARIANTS = [
  'walkeeperBatchFull',
  'rawFull',
  'walkeeperBatchNormal',
  'rawNormal',
  'walkeeperWriteNormal',
] as const;
type VariantName = (typeof VARIANTS)[number];

/** Row `i`: about 200 bytes stored (a 180-character body, the caller, a timestamp). */
function row(i: number): [number, number, string] {
  return [i % CLIENTS, Date.now(), `event ${i} ${FILLER}`.slice(0, 180)];
}

/** One way of committing a caller's row; `close` releases its database. */
interface Variant {
  name: VariantName;
  insert(i: number): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Group commit: 100 concurrent async callers each inserting one ~200-byte row per call, as fast
 * as they can. The baseline is the runtime's native binding (better-sqlite3, bun:sqlite) with
 * one prepared `BEGIN IMMEDIATE` / `INSERT` / `COMMIT` per row, WAL and the same pragmas as
 * walkeeper, under `synchronous` FULL (every commit waits for an fsync) and NORMAL; walkeeper
 * commits the same rows through `batch()` under both, and through `write()` under NORMAL. Each
 * variant has its own database file.
 */
export const batch: Scenario = {
  name: 'batch',
  summary: '100 concurrent one-row inserts: batch() group commit vs one transaction per row',
  defaultSeconds: 5,
  targets: [
    { path: 'ratios.batchVsRawFull', op: '>=', threshold: 10 },
    { path: 'ratios.batchVsRawNormal', op: '>=', threshold: 2 },
    { path: 'ratios.batchVsWriteNormal', op: '>=', threshold: 2 },
  ],
  run: runBatch,
};

async function runBatch({ seconds, runtime, dir, log }: ScenarioContext): Promise<ScenarioOutcome> {
  // `seconds` is each variant's measuring time, split across the rounds.
  const sliceMs = (seconds * 1000) / ROUNDS;
  const warmupMs = Math.min(500, sliceMs);
  const variants: Variant[] = [];
  try {
    variants.push(
      await walkeeperVariant('walkeeperBatchFull', runtime, dir, 'FULL', 'batch'),
      rawVariant('rawFull', runtime, dir, 'FULL'),
      await walkeeperVariant('walkeeperBatchNormal', runtime, dir, 'NORMAL', 'batch'),
      rawVariant('rawNormal', runtime, dir, 'NORMAL'),
      await walkeeperVariant('walkeeperWriteNormal', runtime, dir, 'NORMAL', 'write'),
    );
    log(
      `batch: ${CLIENTS} callers inserting, ${ROUNDS} rounds of ${sliceMs.toFixed(0)} ms per variant`,
    );
    const samples = await interleaved<ClientsMeasurement>(
      variants.map(({ name, insert }) => ({
        name,
        measure: (ms) => runClients(insert, CLIENTS, ms),
      })),
      { rounds: ROUNDS, sliceMs, warmupMs },
    );
    const rates = (name: VariantName) => samples.get(name)!.map((m) => m.qps);
    const results: ResultTree = {};
    for (const name of VARIANTS) {
      const rounds = samples.get(name)!;
      results[name] = {
        rowsPerSec: Math.round(median(rates(name))),
        p50Ms: round(median(rounds.map((m) => m.p50Ms))),
        p99Ms: round(median(rounds.map((m) => m.p99Ms))),
      };
    }
    const ratio = (numerator: VariantName, denominator: VariantName) =>
      round(pairedRatio(rates(numerator), rates(denominator)));
    return {
      results,
      ratios: {
        batchVsRawFull: ratio('walkeeperBatchFull', 'rawFull'),
        batchVsRawNormal: ratio('walkeeperBatchNormal', 'rawNormal'),
        batchVsWriteNormal: ratio('walkeeperBatchNormal', 'walkeeperWriteNormal'),
      },
    };
  } finally {
    for (const variant of variants) await variant.close();
  }
}

/**
 * What a careful user of the native binding writes by hand: prepared statements, one
 * transaction per row. The caller is async like walkeeper's, so the loops around both match.
 */
function rawVariant(
  name: VariantName,
  runtime: BenchRuntime,
  dir: string,
  synchronous: Synchronous,
): Variant {
  const db = runtime.openRaw(join(dir, `${name}.db`));
  applyWalkeeperPragmas(db, { synchronous });
  db.exec(SCHEMA);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const insert = db.prepare(INSERT_SQL);
  const commit = db.prepare('COMMIT');
  return {
    name,
    insert: async (i) => {
      begin.run();
      insert.run(...row(i));
      commit.run();
    },
    close: async () => {
      db.close();
    },
  };
}

async function walkeeperVariant(
  name: VariantName,
  runtime: BenchRuntime,
  dir: string,
  synchronous: Synchronous,
  api: 'batch' | 'write',
): Promise<Variant> {
  const wk: Walkeeper = await openWalkeeper({
    path: join(dir, `${name}.db`),
    driver: runtime.driver(),
    pragmas: { synchronous },
  });
  wk.write((tx) => tx.exec(SCHEMA));
  return {
    name,
    insert:
      api === 'batch'
        ? (i) => wk.batch((tx) => tx.run(INSERT_SQL, row(i)))
        : async (i) => wk.write((tx) => tx.run(INSERT_SQL, row(i))),
    close: () => wk.close(),
  };
}
