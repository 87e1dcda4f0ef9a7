import { join } from 'node:path';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { Piscina } from 'piscina';
import { applyWalkeeperPragmas, walkeeperPragmaAssignments } from '../baseline-pragmas.js';
import { type ClientsMeasurement, runClients } from '../clients.js';
import { randomIds } from '../ids.js';
import { interleaved } from '../interleave.js';
import type { RawDatabase } from '../runtime.js';
import type { ResultTree, Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { median, pairedRatio, round } from '../stats.js';

const ROWS = 100_000;
const GROUPS = 100;
/** Concurrent callers: the "100+ concurrent reads". */
const CLIENTS = 100;
/** Reader threads on both pools: one per core of the machine the targets were set on. */
const THREADS = 2;
/** Odd, so the median is one measured round. */
const ROUNDS = 5;
const ID_MASK = 0xffff;
/** The covering index lets the heavy query read about 100k small index entries, not the rows. */
const SCHEMA = `
  CREATE TABLE docs (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, score INTEGER NOT NULL, body TEXT NOT NULL);
  CREATE INDEX docs_grp_score ON docs (grp, score);
`;
const SEED_SQL = 'INSERT INTO docs (grp, score, body) VALUES (?, ?, ?)';
const LIGHT_SQL = 'SELECT id, grp, score, body FROM docs WHERE id = ?';
/** Aggregates all 100k rows through the index: about 4 ms on the machine the targets were set on. */
const HEAVY_SQL = 'SELECT grp, count(*) AS n, sum(score) AS total FROM docs GROUP BY grp';
const NO_PARAMS: unknown[] = [];

interface Query {
  name: 'light' | 'heavy';
  sql: string;
  params(i: number): unknown[];
}

/** One way of serving reads: `reader(query)` gives the call each client awaits per read. */
interface Mode {
  name: 'inline' | 'piscina' | 'walkeeper';
  reader(query: Query): (i: number) => Promise<unknown>;
}

/**
 * 100 concurrent clients reading through three designs, in one run on one database file:
 * `inline` (one connection on the main thread), `piscina` (the runtime's native binding,
 * better-sqlite3 or bun:sqlite, in each of two piscina workers, one task per read) and
 * `walkeeper` (its worker read pool, two workers).
 * A light query (a point select) measures what each read costs to hand around; a heavy one
 * (an aggregate over 100k rows) measures how well the threads share the CPU.
 */
export const pool: Scenario = {
  name: 'pool',
  summary: '100 concurrent clients: inline vs piscina vs walkeeper worker pool, 2 threads',
  defaultSeconds: 5,
  targets: [
    { path: 'ratios.lightVsPiscina', op: '>=', threshold: 5 },
    { path: 'ratios.lightVsInline', op: '>=', threshold: 0.8 },
    { path: 'ratios.heavyVsPiscina', op: '>=', threshold: 1 },
    { path: 'ratios.heavyVsInline', op: '>=', threshold: 1.7 },
  ],
  run: runPool,
};

async function runPool({ seconds, runtime, dir, log }: ScenarioContext): Promise<ScenarioOutcome> {
  // `seconds` is each mode's measuring time for each query, split across the rounds.
  const sliceMs = (seconds * 1000) / ROUNDS;
  const warmupMs = Math.min(500, sliceMs);
  const path = join(dir, 'pool.db');
  const wk = await openWalkeeper({
    path,
    driver: runtime.driver(),
    readers: { size: THREADS, mode: 'worker' },
  });
  let inline: RawDatabase | undefined;
  let piscina: Piscina | undefined;
  try {
    await seed(wk);
    inline = runtime.openRaw(path, { readonly: true });
    applyWalkeeperPragmas(inline);
    // Before piscina starts its threads, which would compete for the cores while booting.
    const heavyMs = timeOnce(inline, HEAVY_SQL, NO_PARAMS);
    log(`pool: the heavy query takes ${heavyMs.toFixed(2)} ms per run on one connection`);
    piscina = new Piscina({
      filename: runtime.readerWorker.href,
      minThreads: THREADS,
      maxThreads: THREADS,
      // Never the limit: the 100 clients hold at most 100 tasks.
      maxQueue: 100_000,
      workerData: { path, pragmas: walkeeperPragmaAssignments() },
    });

    const ids = randomIds(ID_MASK + 1, ROWS);
    const queries: Query[] = [
      { name: 'light', sql: LIGHT_SQL, params: (i) => [ids[i & ID_MASK]] },
      { name: 'heavy', sql: HEAVY_SQL, params: () => NO_PARAMS },
    ];

    const db = inline;
    const workers = piscina;
    const modes: Mode[] = [
      {
        name: 'inline',
        reader: ({ sql, params }) => {
          const statement = db.prepare(sql);
          return async (i) => statement.all(...params(i));
        },
      },
      {
        name: 'piscina',
        reader:
          ({ sql, params }) =>
          (i) =>
            workers.run({ sql, params: params(i) }),
      },
      {
        name: 'walkeeper',
        reader:
          ({ sql, params }) =>
          (i) =>
            wk.read(sql, params(i)),
      },
    ];

    const results: Record<Mode['name'], ResultTree> = { inline: {}, piscina: {}, walkeeper: {} };
    const qps = new Map<string, number[]>();
    for (const query of queries) {
      log(
        `pool: ${query.name} reads, ${CLIENTS} clients, ${ROUNDS} rounds of ${sliceMs.toFixed(0)} ms per mode`,
      );
      const samples = await interleaved<ClientsMeasurement>(
        modes.map((mode) => {
          const read = mode.reader(query);
          return { name: mode.name, measure: (ms) => runClients(read, CLIENTS, ms) };
        }),
        { rounds: ROUNDS, sliceMs, warmupMs },
      );
      for (const mode of modes) {
        const rounds = samples.get(mode.name)!;
        qps.set(
          `${mode.name}.${query.name}`,
          rounds.map((m) => m.qps),
        );
        results[mode.name][query.name] = {
          qps: Math.round(median(rounds.map((m) => m.qps))),
          p99Ms: round(median(rounds.map((m) => m.p99Ms))),
        };
      }
    }

    const ratio = (query: Query['name'], baseline: Mode['name']) =>
      round(pairedRatio(qps.get(`walkeeper.${query}`)!, qps.get(`${baseline}.${query}`)!));
    return {
      results: { ...results, heavyQueryMs: round(heavyMs) },
      ratios: {
        lightVsPiscina: ratio('light', 'piscina'),
        lightVsInline: ratio('light', 'inline'),
        heavyVsPiscina: ratio('heavy', 'piscina'),
        heavyVsInline: ratio('heavy', 'inline'),
      },
    };
  } finally {
    await piscina?.destroy();
    inline?.close();
    await wk.close();
  }
}

/**
 * Rows of about 200 bytes (a 180-character body), written by walkeeper's writer and then
 * checkpointed, so every mode reads them from the database file, not from a WAL.
 */
async function seed(wk: Walkeeper): Promise<void> {
  const filler = 'lorem ipsum dolor sit amet '.repeat(7);
  wk.write((tx) => {
    tx.exec(SCHEMA);
    for (let i = 1; i <= ROWS; i++) {
      const body = `document ${i} ${filler}`.slice(0, 180);
      tx.run(SEED_SQL, [i % GROUPS, (i * 7919) % 1000, body]);
    }
  });
  await wk.checkpoint('TRUNCATE');
}

/** One run's time of a query on a warm connection: the median of a few runs. */
function timeOnce(db: RawDatabase, sql: string, params: unknown[]): number {
  const statement = db.prepare(sql);
  statement.all(...params);
  const times: number[] = [];
  for (let k = 0; k < 9; k++) {
    const started = performance.now();
    statement.all(...params);
    times.push(performance.now() - started);
  }
  return median(times);
}
