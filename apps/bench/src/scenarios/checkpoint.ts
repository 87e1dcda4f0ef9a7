import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { applyWalkeeperPragmas } from '../baseline-pragmas.js';
import { measureEventLoop } from '../event-loop.js';
import type { RawDatabase } from '../runtime.js';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { median, pairedRatio, round } from '../stats.js';
import { settle } from '../timing.js';

/** WAL frames each checkpoint resets: the "1000-page WAL". */
const PAGES = 1000;
/** One row per 4096-byte page (two would not fit), so updating N rows dirties N pages. */
const ROW_BYTES = 3000;
const SCHEMA = 'CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)';
const SEED_SQL = `INSERT INTO pages (body) VALUES (randomblob(${ROW_BYTES}))`;
// Same size in place: only the leaf pages change, so the WAL gets exactly one frame per row.
const FILL_SQL = `UPDATE pages SET body = randomblob(${ROW_BYTES})`;
const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const MIN_REPS = 10;
const MAX_REPS = 999;

/**
 * The cost of resetting a 1000-page WAL with TRUNCATE: raw `wal_checkpoint(TRUNCATE)` next to
 * `wk.checkpoint('TRUNCATE')`, which adds the read barrier, the stall cap, the result and the
 * metrics around the same call. SQLite's autocheckpoint is off on both sides, as a walkeeper
 * strategy sets it, so each WAL holds exactly the frames the fill wrote.
 */
export const checkpoint: Scenario = {
  name: 'checkpoint',
  summary: 'TRUNCATE of a 1000-page WAL vs the raw driver',
  defaultSeconds: 5,
  targets: [{ path: 'ratios.wkOverRaw', op: '<=', threshold: 1.05 }],
  run: runCheckpoint,
};

async function runCheckpoint({
  seconds,
  runtime,
  dir,
  log,
}: ScenarioContext): Promise<ScenarioOutcome> {
  const rawPath = join(dir, 'raw.db');
  const wkPath = join(dir, 'walkeeper.db');
  const raw = runtime.openRaw(rawPath);
  applyWalkeeperPragmas(raw, { walAutocheckpoint: 0 });
  const wk = await openWalkeeper({
    path: wkPath,
    driver: runtime.driver(),
    pragmas: { walAutocheckpoint: 0 },
  });
  try {
    await seed(raw, wk);
    const rawFill = preparedFill(raw);
    const wkFill = () => wk.write((tx) => tx.run(FILL_SQL));
    const pageSize = wk.stats().wal.pageSize;

    const rawMs: number[] = [];
    const wkMs: number[] = [];
    let eventLoopMaxMs = 0;
    const runRaw = () => {
      rawFill();
      expectFrames(rawPath, pageSize);
      const started = performance.now();
      const row = raw.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      rawMs.push(performance.now() - started);
      if (row[0]?.busy !== 0)
        throw new Error('The raw TRUNCATE checkpoint was busy; nothing else should hold the WAL.');
    };
    const runWalkeeper = async () => {
      wkFill();
      expectFrames(wkPath, pageSize);
      const { value: elapsed, delay } = await measureEventLoop(async () => {
        const started = performance.now();
        const result = await wk.checkpoint('TRUNCATE');
        if (result.busy)
          throw new Error(
            'walkeeper reported its TRUNCATE checkpoint busy; nothing else should hold the WAL.',
          );
        return performance.now() - started;
      });
      wkMs.push(elapsed);
      eventLoopMaxMs = Math.max(eventLoopMaxMs, delay.maxMs);
    };

    log(
      `checkpoint: TRUNCATE of ${PAGES} frames, at least ${MIN_REPS} each side within ${seconds} s`,
    );
    const deadline = performance.now() + seconds * 1000;
    for (let rep = 0; rep < MIN_REPS || (performance.now() < deadline && rep < MAX_REPS); rep++) {
      // Alternate who goes first, so write-back from one side's fsyncs burdens both alike.
      if (rep % 2 === 0) {
        runRaw();
        await runWalkeeper();
      } else {
        await runWalkeeper();
        runRaw();
      }
      await settle();
    }
    return {
      results: {
        rawMs: round(median(rawMs)),
        wkMs: round(median(wkMs)),
        eventLoopMaxMs: round(eventLoopMaxMs),
        walFrames: PAGES,
        repetitions: rawMs.length,
      },
      ratios: { wkOverRaw: round(pairedRatio(wkMs, rawMs)) },
    };
  } finally {
    await wk.close();
    raw.close();
  }
}

async function seed(raw: RawDatabase, wk: Walkeeper): Promise<void> {
  raw.exec(SCHEMA);
  const insert = raw.prepare(SEED_SQL);
  raw.exec('BEGIN IMMEDIATE');
  for (let i = 0; i < PAGES; i++) insert.run();
  raw.exec('COMMIT');
  raw.pragma('wal_checkpoint(TRUNCATE)');
  wk.write((tx) => {
    tx.exec(SCHEMA);
    for (let i = 0; i < PAGES; i++) tx.run(SEED_SQL);
  });
  await wk.checkpoint('TRUNCATE');
}

function preparedFill(db: RawDatabase): () => void {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const fill = db.prepare(FILL_SQL);
  const commit = db.prepare('COMMIT');
  return () => {
    begin.run();
    fill.run();
    commit.run();
  };
}

/** The scenario measures nothing unless each side resets the same, full WAL: check it. */
function expectFrames(databasePath: string, pageSize: number): void {
  const walBytes = statSync(`${databasePath}-wal`).size;
  const frames = (walBytes - WAL_HEADER_BYTES) / (pageSize + FRAME_HEADER_BYTES);
  if (frames !== PAGES)
    throw new Error(`${databasePath}-wal holds ${frames} frames, expected ${PAGES}.`);
}
