import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { readShmCounters } from '@walkeeper/core/plugin-kit';
import { sizeCapped } from '@walkeeper/strategies';
import { Piscina } from 'piscina';
import { applyWalkeeperPragmas, walkeeperPragmaAssignments } from '../baseline-pragmas.js';
import { type ClientsMeasurement, runClients } from '../clients.js';
import { measureEventLoop } from '../event-loop.js';
import type { BenchRuntime, RawDatabase } from '../runtime.js';
import type { ResultTree, Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { median, round } from '../stats.js';

/** The workload; the registered scenario uses the figures, tests a lighter one. */
export interface StarvationShape {
  /** The writer's paced rate. */
  rowsPerSecond: number;
  rowsPerTransaction: number;
  /** Concurrent reader clients, each awaiting one read at a time. */
  clients: number;
}

export const DEFAULT_SHAPE: Readonly<StarvationShape> = Object.freeze({
  rowsPerSecond: 20_000,
  rowsPerTransaction: 50,
  clients: 100,
});

const RUNS = ['raw-default', 'raw-restart', 'walkeeper'] as const;
type RunName = (typeof RUNS)[number];

const MIB = 2 ** 20;
/** walkeeper's cap, and the size above which the raw-restart baseline resets. */
const CAP_BYTES = 16 * MIB;
/** How often the better-sqlite3 docs' fix looks at the -wal file. */
const RESTART_POLL_MS = 250;
/** How often the WAL's size is sampled for its peak (the writer samples after commits too). */
const WAL_SAMPLE_MS = 10;
/** Reader threads on both pools: one per core of the machine the targets were set on. */
const THREADS = 2;
/** Untimed reads before each run, so JIT, statement caches and page cache are warm alike. */
const WARMUP_MS = 300;
/** Rows in the table before the writer starts: the read's 5,000 and plenty under them. */
const SEED_ROWS = 50_000;
const KINDS = 16;
const SCHEMA =
  'CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind INTEGER NOT NULL, body TEXT NOT NULL)';
const INSERT_SQL = 'INSERT INTO events (at, kind, body) VALUES (?, ?, ?)';
/** A dashboard's "recent activity": about 1 ms over the newest 5,000 rows (rowid order, no index). */
const READ_SQL = `SELECT kind, count(*) AS n, max(at) AS last, sum(length(body)) AS bytes
  FROM (SELECT kind, at, body FROM events ORDER BY id DESC LIMIT 5000) GROUP BY kind`;
const NO_PARAMS: unknown[] = [];
const FILLER = 'lorem ipsum dolor sit amet '.repeat(8);

/** Row `i`: about 200 bytes stored (a 180-character body, a timestamp, a small integer). */
function row(i: number): [number, number, string] {
  return [Date.now(), i % KINDS, `event ${i} ${FILLER}`.slice(0, 180)];
}

/**
 * SQLite's autocheckpoint starves when readers always overlap: a paced writer and 100 reader
 * clients on 2 reader threads, for N seconds, three ways. `raw-default` leaves checkpoints to
 * SQLite; `raw-restart` adds the better-sqlite3 docs' fix (stat the -wal file every 250 ms,
 * `wal_checkpoint(RESTART)` above 16 MiB); `walkeeper` runs `sizeCapped({ maxWalBytes: 16 MiB })`
 * with its own read pool. Each run gets a fresh database, seeded alike.
 */
export function starvationScenario(overrides: Partial<StarvationShape> = {}): Scenario {
  const shape: StarvationShape = { ...DEFAULT_SHAPE, ...overrides };
  return {
    name: 'starvation',
    summary: `paced writer (${shape.rowsPerSecond.toLocaleString('en-US')} rows/s) vs ${shape.clients} readers on ${THREADS} threads, WAL capped at 16 MiB`,
    defaultSeconds: 10,
    targets: [
      // The scenario proves something only if SQLite's own autocheckpoint starves.
      { path: 'results.raw-default.walPeakMiB', op: '>=', threshold: 32 },
      { path: 'ratios.walPeakOverCap', op: '<=', threshold: 1.25 },
      { path: 'ratios.writeVsTarget', op: '>=', threshold: 0.98 },
      { path: 'ratios.readVsRawDefault', op: '>=', threshold: 1 },
      { path: 'ratios.readP99VsRawDefault', op: '<=', threshold: 1 },
      { path: 'results.walkeeper.eventLoopP99Ms', op: '<=', threshold: 20 },
    ],
    run: (context) => runStarvation(context, shape),
  };
}

export const starvation: Scenario = starvationScenario();

/** One way of serving the workload: a write transaction, a read, and what it adds to results. */
interface Contender {
  /** Commits one transaction of `count` rows, numbered from `first`. */
  commit(first: number, count: number): void;
  read(): Promise<unknown>;
  /** Starts whatever runs beside the workload (the raw-restart poll); returns its stopper. */
  begin(): () => void;
  /** Figures of its own (checkpoint counts), read after the measured run. */
  extra(writeMs: number, elapsedMs: number): ResultTree;
  close(): Promise<void>;
}

interface RunMeasurement {
  walPeakMiB: number;
  writeRowsPerSec: number;
  readQps: number;
  readP99Ms: number;
  eventLoopP99Ms: number;
}

async function runStarvation(
  { seconds, runtime, dir, log }: ScenarioContext,
  shape: StarvationShape,
): Promise<ScenarioOutcome> {
  const results: Record<string, ResultTree> = {};
  const measured = new Map<RunName, RunMeasurement>();
  let readQueryMs = 0;
  for (const name of RUNS) {
    const path = join(dir, `${name}.db`);
    seed(runtime, path);
    if (name === RUNS[0]) {
      readQueryMs = timeRead(runtime, path);
      log(`starvation: the read takes ${readQueryMs.toFixed(2)} ms on the seeded table`);
    }
    log(
      `starvation: ${name}, ${seconds} s: ${shape.rowsPerSecond} rows/s in transactions of ${shape.rowsPerTransaction}, ${shape.clients} reader clients`,
    );
    const contender = await open(name, runtime, path, shape);
    try {
      const { measurement, extra } = await measure(contender, shape, seconds, path);
      measured.set(name, measurement);
      results[name] = { ...measurement, ...extra };
      log(`starvation: ${name}: ${JSON.stringify(results[name])}`);
    } finally {
      await contender.close();
    }
  }

  const wk = measured.get('walkeeper')!;
  const rawDefault = measured.get('raw-default')!;
  return {
    results: { ...results, readQueryMs: round(readQueryMs) },
    ratios: {
      walPeakOverCap: round(wk.walPeakMiB / (CAP_BYTES / MIB)),
      writeVsTarget: round(wk.writeRowsPerSec / shape.rowsPerSecond),
      readVsRawDefault: round(ratio(wk.readQps, rawDefault.readQps)),
      readP99VsRawDefault: round(ratio(wk.readP99Ms, rawDefault.readP99Ms)),
    },
  };
}

/** A ratio that stays a finite number for the JSON line when the baseline measured nothing. */
function ratio(value: number, baseline: number): number {
  return baseline > 0 ? value / baseline : 0;
}

/**
 * The measured part of a run: warm-up reads, then the paced writer, the reader clients, the
 * WAL sampler and the event-loop monitor, all for `seconds`.
 */
async function measure(
  contender: Contender,
  shape: StarvationShape,
  seconds: number,
  databasePath: string,
): Promise<{ measurement: RunMeasurement; extra: ResultTree }> {
  const ms = seconds * 1000;
  await runClients(() => contender.read(), shape.clients, Math.min(WARMUP_MS, ms));
  const wal = new WalPeak(databasePath);
  const sampler = setInterval(() => wal.sampleFrames(), WAL_SAMPLE_MS);
  const stopBeside = contender.begin();
  let writer: PacedWrites;
  let readers: ClientsMeasurement;
  let eventLoopP99Ms: number;
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  try {
    const { value, delay } = await measureEventLoop(() =>
      Promise.all([
        paceWriter(contender, shape, ms, wal),
        runClients(() => contender.read(), shape.clients, ms),
      ]),
    );
    [writer, readers] = value;
    eventLoopP99Ms = delay.p99Ms;
  } finally {
    stopBeside();
    clearInterval(sampler);
  }
  const cpu = process.cpuUsage(cpuBefore);
  // Cores this process got, all threads: near 2 + the main thread's share when the machine is
  // otherwise idle; well under that, another tenant was taking CPU from this run.
  const cpuCores = (cpu.user + cpu.system) / 1000 / (performance.now() - began);
  wal.sampleFrames();
  return {
    measurement: {
      walPeakMiB: round(wal.peakBytes / MIB),
      writeRowsPerSec: Math.round(writer.rows / seconds),
      readQps: Math.round(readers.qps),
      readP99Ms: round(readers.p99Ms),
      eventLoopP99Ms: round(eventLoopP99Ms),
    },
    extra: {
      walResets: wal.resets,
      cpuCores: round(cpuCores, 2),
      ...contender.extra(writer.writeMs, ms),
    },
  };
}

/**
 * The largest size the -wal file reached, from samples; and how often the log was reset
 * (its frame count, read from the -shm header, went down), which shows whether it starved.
 */
class WalPeak {
  readonly #databasePath: string;
  readonly #walPath: string;
  #frames = 0;
  peakBytes = 0;
  resets = 0;

  constructor(databasePath: string) {
    this.#databasePath = databasePath;
    this.#walPath = `${databasePath}-wal`;
  }

  sample(): void {
    const bytes = statSync(this.#walPath, { throwIfNoEntry: false })?.size ?? 0;
    if (bytes > this.peakBytes) this.peakBytes = bytes;
  }

  /** The -shm read is a little dearer than a stat: the timer does it, not the writer. */
  sampleFrames(): void {
    this.sample();
    const frames = readShmCounters(this.#databasePath)?.frames;
    if (frames === undefined) return;
    if (frames < this.#frames) this.resets++;
    this.#frames = frames;
  }
}

interface PacedWrites {
  rows: number;
  /** Time spent inside write transactions. */
  writeMs: number;
}

/**
 * Commits transactions on a schedule (transaction k is due at k times the interval), not by
 * sleeping a fixed time after each: a writer held up by a checkpoint or a busy event loop
 * catches up with back-to-back commits, and only what it could not catch up by the end counts
 * against it. Transactions due after the end are not run.
 */
async function paceWriter(
  contender: Contender,
  { rowsPerSecond, rowsPerTransaction }: StarvationShape,
  ms: number,
  wal: WalPeak,
): Promise<PacedWrites> {
  const intervalMs = (rowsPerTransaction * 1000) / rowsPerSecond;
  const began = performance.now();
  const deadline = began + ms;
  let due = began;
  let rows = 0;
  let writeMs = 0;
  for (;;) {
    let now = performance.now();
    if (now >= deadline || due >= deadline) break;
    while (due <= now && due < deadline) {
      // Row numbers go on from the seed's, so every row in the table is distinct.
      contender.commit(SEED_ROWS + rows, rowsPerTransaction);
      const committed = performance.now();
      writeMs += committed - now;
      now = committed;
      rows += rowsPerTransaction;
      due += intervalMs;
    }
    wal.sample();
    const wait = due - performance.now();
    await sleep(Math.max(wait, 0));
  }
  return { rows, writeMs };
}

async function open(
  name: RunName,
  runtime: BenchRuntime,
  path: string,
  { clients }: StarvationShape,
): Promise<Contender> {
  return name === 'walkeeper'
    ? openWalkeeperRun(runtime, path)
    : openRawRun(name, runtime, path, clients);
}

/**
 * better-sqlite3 as its docs suggest (bun:sqlite likewise under Bun): the writer on the main
 * thread with walkeeper's pragmas (SQLite's autocheckpoint left on), reads through piscina, a
 * read-only connection per worker (the runtime's `readerWorker`, as in the `pool` scenario).
 */
function openRawRun(
  name: 'raw-default' | 'raw-restart',
  runtime: BenchRuntime,
  path: string,
  clients: number,
): Contender {
  const writer = runtime.openRaw(path);
  applyWalkeeperPragmas(writer);
  const begin = writer.prepare('BEGIN IMMEDIATE');
  const insert = writer.prepare(INSERT_SQL);
  const commit = writer.prepare('COMMIT');
  const piscina = new Piscina({
    filename: runtime.readerWorker.href,
    minThreads: THREADS,
    maxThreads: THREADS,
    // Every client's read queued at a worker, so a worker always has its next read at hand
    // and never waits for the main thread (where the writer commits and SQLite's
    // autocheckpoint runs): the readers always overlap, the case this scenario is about.
    // walkeeper's pool keeps its workers busy the same way (two batches in flight each).
    concurrentTasksPerWorker: Math.ceil(clients / THREADS),
    // Never the limit: the clients hold at most one task each.
    maxQueue: 100_000,
    workerData: { path, pragmas: walkeeperPragmaAssignments() },
  });
  const task = { sql: READ_SQL, params: NO_PARAMS };
  const walPath = `${path}-wal`;
  const restarts: number[] = [];
  let busyRestarts = 0;
  return {
    commit(first, count) {
      begin.run();
      for (let i = first; i < first + count; i++) insert.run(...row(i));
      commit.run();
    },
    read: () => piscina.run(task),
    begin() {
      if (name !== 'raw-restart') return () => {};
      // The better-sqlite3 docs' fix for checkpoint starvation, on the writer's thread.
      const timer = setInterval(() => {
        if ((statSync(walPath, { throwIfNoEntry: false })?.size ?? 0) <= CAP_BYTES) return;
        const started = performance.now();
        const [result] = writer.pragma('wal_checkpoint(RESTART)') as { busy: number }[];
        restarts.push(performance.now() - started);
        if (result?.busy !== 0) busyRestarts++;
      }, RESTART_POLL_MS);
      return () => clearInterval(timer);
    },
    extra(writeMs, elapsedMs): ResultTree {
      if (name !== 'raw-restart') return {};
      const checkpointMs = restarts.reduce((sum, t) => sum + t, 0);
      return {
        restarts: restarts.length,
        busyRestarts,
        restartMedianMs: restarts.length === 0 ? 0 : round(median(restarts)),
        // Of the time the writer's connection was busy, the share spent inside RESTART.
        checkpointShareOfWriter: round(ratio(checkpointMs, checkpointMs + writeMs)),
        checkpointShareOfRun: round(checkpointMs / elapsedMs),
      };
    },
    async close() {
      await piscina.destroy();
      writer.close();
    },
  };
}

async function openWalkeeperRun(runtime: BenchRuntime, path: string): Promise<Contender> {
  const wk = await openWalkeeper({
    path,
    driver: runtime.driver(),
    readers: { size: THREADS, mode: 'worker' },
    plugins: [sizeCapped({ maxWalBytes: CAP_BYTES })],
  });
  const countsBefore = checkpointCounts(wk);
  return {
    commit(first, count) {
      wk.write((tx) => {
        for (let i = first; i < first + count; i++) tx.run(INSERT_SQL, row(i));
      });
    },
    read: () => wk.read(READ_SQL),
    begin: () => () => {},
    extra() {
      const after = checkpointCounts(wk);
      return {
        passive: after.passive - countsBefore.passive,
        resets: after.resets - countsBefore.resets,
        busyResets: after.busyResets - countsBefore.busyResets,
      };
    },
    close: () => wk.close(),
  };
}

/** Checkpoints walkeeper has run so far, from `stats()`. */
function checkpointCounts(wk: Walkeeper): { passive: number; resets: number; busyResets: number } {
  const { PASSIVE, RESTART, TRUNCATE } = wk.stats().checkpoints.byMode;
  return {
    passive: PASSIVE.complete + PASSIVE.busy,
    resets: RESTART.complete + RESTART.busy + TRUNCATE.complete + TRUNCATE.busy,
    busyResets: RESTART.busy + TRUNCATE.busy,
  };
}

/**
 * The same rows in every run's fresh database, written and checkpointed before anything
 * opens it, so each run starts from the same file and an empty WAL.
 */
function seed(runtime: BenchRuntime, path: string): void {
  const db = runtime.openRaw(path);
  try {
    applyWalkeeperPragmas(db);
    db.exec(SCHEMA);
    const insert = db.prepare(INSERT_SQL);
    db.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < SEED_ROWS; i++) insert.run(...row(i));
    db.exec('COMMIT');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** The read's time on the seeded table, one connection, warm: the median of a few runs. */
function timeRead(runtime: BenchRuntime, path: string): number {
  const db: RawDatabase = runtime.openRaw(path, { readonly: true });
  try {
    applyWalkeeperPragmas(db);
    const statement = db.prepare(READ_SQL);
    statement.all();
    const times: number[] = [];
    for (let k = 0; k < 21; k++) {
      const started = performance.now();
      statement.all();
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    db.close();
  }
}
