import { join } from 'node:path';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { WalkeeperDialect } from '@walkeeper/kysely';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { applyWalkeeperPragmas } from '../baseline-pragmas.js';
import { type ClientsMeasurement, runClients } from '../clients.js';
import { randomIds } from '../ids.js';
import { interleaved } from '../interleave.js';
import type { RawDatabase } from '../runtime.js';
import type { ResultTree, Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { median, pairedRatio, round } from '../stats.js';

const ROWS = 100_000;
const CLIENTS = 100;
const THREADS = 2;
const ROUNDS = 3;
const ID_MASK = 0xffff;
const BODY = 'x'.repeat(180);

interface Docs {
  docs: { id: number | null; grp: number; score: number; body: string };
}

type Variant = 'walkeeper' | 'native';
type Workload = 'heavy' | 'light' | 'writes';

/**
 * An ORM on walkeeper against the same ORM on its own SQLite driver, 100 concurrent clients:
 * Kysely on `WalkeeperDialect` (reads in a 2-worker pool, writes grouped through the writer)
 * and Kysely's own `SqliteDialect` on one better-sqlite3 connection (WAL with walkeeper's
 * pragmas, so only the routing differs). Workloads: a heavy aggregate, a point select, and
 * one-row inserts from every client.
 */
export const orm: Scenario = {
  name: 'orm',
  summary: 'Kysely on walkeeper vs Kysely on better-sqlite3: 100 clients, heavy, light and writes',
  defaultSeconds: 3,
  onlyOn: { runtime: 'node', reason: "Kysely's SqliteDialect drives better-sqlite3, on Node" },
  targets: [
    { path: 'ratios.kyselyHeavyVsNative', op: '>=', threshold: 1.6 },
    { path: 'ratios.kyselyLightVsNative', op: '>=', threshold: 0.8 },
    { path: 'ratios.kyselyWritesVsNative', op: '>=', threshold: 1 },
  ],
  run: runOrm,
};

async function runOrm({ seconds, dir, log }: ScenarioContext): Promise<ScenarioOutcome> {
  const sliceMs = (seconds * 1000) / ROUNDS;
  const path = join(dir, 'orm.db');
  const wk = await openWalkeeper({
    path,
    driver: (await import('@walkeeper/driver-better-sqlite3')).betterSqlite3(),
    readers: { size: THREADS, mode: 'worker' },
  });
  const native = new Database(path);
  applyWalkeeperPragmas(native as unknown as RawDatabase);
  const dbs: Record<Variant, Kysely<Docs>> = {
    walkeeper: new Kysely<Docs>({ dialect: new WalkeeperDialect({ walkeeper: wk }) }),
    native: new Kysely<Docs>({ dialect: new SqliteDialect({ database: native }) }),
  };
  try {
    seed(wk);
    const ids = randomIds(ID_MASK + 1, ROWS);
    const workloads: Record<Workload, (db: Kysely<Docs>) => (i: number) => Promise<unknown>> = {
      heavy: (db) => () =>
        db
          .selectFrom('docs')
          .select(['grp', sql<number>`count(*)`.as('n'), sql<number>`sum(score)`.as('total')])
          .groupBy('grp')
          .execute(),
      light: (db) => (i) =>
        db
          .selectFrom('docs')
          .selectAll()
          .where('id', '=', ids[i & ID_MASK]!)
          .executeTakeFirst(),
      writes: (db) => (i) =>
        db
          .insertInto('docs')
          .values({ grp: i % 100, score: i, body: BODY })
          .execute(),
    };
    const results: Record<Variant, ResultTree> = { walkeeper: {}, native: {} };
    const qps = new Map<string, number[]>();
    for (const workload of ['heavy', 'light', 'writes'] as const) {
      log(
        `orm: kysely ${workload}, ${CLIENTS} clients, ${ROUNDS} rounds of ${sliceMs.toFixed(0)} ms`,
      );
      const samples = await interleaved<ClientsMeasurement>(
        (['walkeeper', 'native'] as const).map((variant) => {
          const call = workloads[workload](dbs[variant]);
          return { name: variant, measure: (ms) => runClients(call, CLIENTS, ms) };
        }),
        { rounds: ROUNDS, sliceMs, warmupMs: Math.min(300, sliceMs) },
      );
      for (const variant of ['walkeeper', 'native'] as const) {
        const rounds = samples.get(variant)!;
        qps.set(
          `${variant}.${workload}`,
          rounds.map((m) => m.qps),
        );
        results[variant][workload] = {
          qps: Math.round(median(rounds.map((m) => m.qps))),
          p99Ms: round(median(rounds.map((m) => m.p99Ms))),
        };
      }
    }
    const ratio = (workload: Workload) =>
      round(pairedRatio(qps.get(`walkeeper.${workload}`)!, qps.get(`native.${workload}`)!));
    return {
      results: { kysely: results },
      ratios: {
        kyselyHeavyVsNative: ratio('heavy'),
        kyselyLightVsNative: ratio('light'),
        kyselyWritesVsNative: ratio('writes'),
      },
    };
  } finally {
    await dbs.walkeeper.destroy();
    await dbs.native.destroy();
    await wk.close();
  }
}

function seed(wk: Walkeeper): void {
  wk.write((tx) => {
    tx.exec(`
      CREATE TABLE docs (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, score INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE INDEX docs_grp_score ON docs (grp, score);
    `);
    for (let i = 0; i < ROWS; i++) {
      tx.run('INSERT INTO docs (grp, score, body) VALUES (?, ?, ?)', [i % 100, i % 997, BODY]);
    }
  });
}
