import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { tiered } from '@walkeeper/strategies';
import { applyWalkeeperPragmas } from '../baseline-pragmas.js';
import type { BenchRuntime } from '../runtime.js';
import type { ResultTree, Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { percentile, round } from '../stats.js';

/** The writer: 50 rows of 400 bytes every 5 ms. */
const ROWS_PER_TRANSACTION = 50;
const ROW_BYTES = 400;
const INTERVAL_MS = 5;
const MIB = 2 ** 20;
const SCHEMA =
  'CREATE TABLE rows (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL)';
const INSERT_SQL = 'INSERT INTO rows (at, body) VALUES (?, ?)';
const BODY = 'walkeeper keeps the WAL small '.repeat(20).slice(0, ROW_BYTES);

/** What one side of the comparison does: commit one transaction, and tell what it saw. */
export interface Contender {
  commit(): void;
  /** Figures of its own, read after the measured run (walkeeper's checkpoints, its health). */
  extra(elapsedMs: number): ResultTree;
  close(): Promise<void>;
}

/** Something that runs beside both sides alike (the pinning reader), opened on the database. */
export interface Beside {
  /** Resolves once it is in place; the measured run starts after. */
  open(path: string, runtime: BenchRuntime): Promise<{ close(): Promise<void> }>;
}

export interface SideBySide {
  name: string;
  /** Starts watching walkeeper once the run begins (health polling for the pin). */
  watch?(wk: Walkeeper): { stop(): ResultTree };
  beside?: Beside;
}

interface RunMeasurement {
  walPeakMiB: number;
  writeP99Ms: number;
  mainCpuMs: number;
  transactions: number;
}

/**
 * The paced writer on raw better-sqlite3 (bun:sqlite under Bun) with walkeeper's pragmas and
 * SQLite's own autocheckpoint, then on walkeeper's default (`tiered()`), each on a fresh
 * database, one after the other in this process. Transaction k is due at k times 5 ms, so a
 * writer held up catches up. Measured: the -wal's high-water mark (a stat after every commit),
 * each commit's latency, and the main thread's CPU time.
 */
export async function runSideBySide(
  { seconds, runtime, dir, log }: ScenarioContext,
  setup: SideBySide,
): Promise<{ raw: RunMeasurement; walkeeper: RunMeasurement; results: ResultTree }> {
  const results: Record<string, ResultTree> = {};
  const measured: Record<string, RunMeasurement> = {};
  for (const name of ['raw', 'walkeeper'] as const) {
    const path = join(dir, `${setup.name}-${name}.db`);
    seed(runtime, path);
    const beside = await setup.beside?.open(path, runtime);
    const contender =
      name === 'raw' ? openRaw(runtime, path) : await openWalkeeperRun(runtime, path, setup);
    try {
      log(`${setup.name}: ${name}, ${seconds} s`);
      const began = performance.now();
      const measurement = await paceWriter(contender, seconds * 1000, path);
      const extra = contender.extra(performance.now() - began);
      measured[name] = measurement;
      results[name] = { ...measurement, ...extra };
      log(`${setup.name}: ${name}: ${JSON.stringify(results[name])}`);
    } finally {
      await contender.close();
      await beside?.close();
    }
  }
  return { raw: measured.raw!, walkeeper: measured.walkeeper!, results };
}

async function paceWriter(
  contender: Contender,
  ms: number,
  databasePath: string,
): Promise<RunMeasurement> {
  const walPath = `${databasePath}-wal`;
  const latencies: number[] = [];
  let walPeak = 0;
  const cpuBefore = mainThreadCpuMs();
  const began = performance.now();
  const deadline = began + ms;
  let due = began;
  for (;;) {
    let now = performance.now();
    if (now >= deadline || due >= deadline) break;
    while (due <= now && due < deadline) {
      contender.commit();
      const committed = performance.now();
      latencies.push(committed - now);
      now = committed;
      due += INTERVAL_MS;
      walPeak = Math.max(walPeak, statSync(walPath, { throwIfNoEntry: false })?.size ?? 0);
    }
    await sleep(Math.max(due - performance.now(), 0));
  }
  return {
    walPeakMiB: round(walPeak / MIB),
    writeP99Ms: round(latencies.length > 0 ? percentile(latencies, 99) : 0),
    mainCpuMs: round(mainThreadCpuMs() - cpuBefore, 0),
    transactions: latencies.length,
  };
}

/**
 * CPU time of this process's main thread (its task id is the pid), from /proc on Linux: the
 * writer's work on both sides, leaving out walkeeper's checkpointer and reader threads. Where
 * there is no /proc, the whole process's CPU time (which then counts those threads too).
 */
export function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
}

/** Linux's USER_HZ, 100 on every architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

function openRaw(runtime: BenchRuntime, path: string): Contender {
  const db = runtime.openRaw(path);
  applyWalkeeperPragmas(db);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const insert = db.prepare(INSERT_SQL);
  const commit = db.prepare('COMMIT');
  return {
    commit() {
      begin.run();
      for (let i = 0; i < ROWS_PER_TRANSACTION; i++) insert.run(Date.now(), BODY);
      commit.run();
    },
    extra: () => ({}),
    close: async () => {
      db.close();
    },
  };
}

async function openWalkeeperRun(
  runtime: BenchRuntime,
  path: string,
  setup: SideBySide,
): Promise<Contender> {
  // walkeeper's default strategy, with its default options.
  const wk = await openWalkeeper({ path, driver: runtime.driver(), plugins: [tiered()] });
  const before = wk.stats().checkpoints.count;
  const watching = setup.watch?.(wk);
  return {
    commit() {
      wk.write((tx) => {
        for (let i = 0; i < ROWS_PER_TRANSACTION; i++) tx.run(INSERT_SQL, [Date.now(), BODY]);
      });
    },
    extra(elapsedMs) {
      const checkpoints = wk.stats().checkpoints.count - before;
      return {
        checkpoints,
        checkpointsPerSec: round(checkpoints / (elapsedMs / 1000), 2),
        ...watching?.stop(),
      };
    },
    close: () => wk.close(),
  };
}

/** A fresh database with the table and an empty WAL. */
function seed(runtime: BenchRuntime, path: string): void {
  const db = runtime.openRaw(path);
  try {
    applyWalkeeperPragmas(db);
    db.exec(SCHEMA);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** `value / baseline`, a finite number for the JSON line when the baseline measured nothing. */
export function ratio(value: number, baseline: number): number {
  return baseline > 0 ? round(value / baseline) : 0;
}

/**
 * Nothing pins the log: does walkeeper's -wal stay as small as SQLite's own autocheckpoint
 * keeps it, at a write p99 as good? (Before: 32 MiB against 4 MiB, the off-thread PASSIVE
 * never leaving the log fully backfilled for SQLite to restart it.)
 */
export const steady: Scenario = {
  name: 'steady',
  summary: 'writer of 50 rows x 400 B every 5 ms, no readers: raw autocheckpoint vs tiered()',
  defaultSeconds: 10,
  targets: [
    { path: 'ratios.walPeakVsRaw', op: '<=', threshold: 1.5 },
    { path: 'ratios.writeP99VsRaw', op: '<=', threshold: 1.0 },
  ],
  run: runSteady,
};

async function runSteady(context: ScenarioContext): Promise<ScenarioOutcome> {
  const { raw, walkeeper, results } = await runSideBySide(context, { name: 'steady' });
  return {
    results,
    ratios: {
      walPeakVsRaw: ratio(walkeeper.walPeakMiB, raw.walPeakMiB),
      writeP99VsRaw: ratio(walkeeper.writeP99Ms, raw.writeP99Ms),
    },
  };
}
