import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Walkeeper } from '@walkeeper/core';
import type { BenchRuntime } from '../runtime.js';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import type { Beside, SideBySide } from './steady.js';
import { ratio, runSideBySide } from './steady.js';

/** How often the bench asks walkeeper's health() whether it names the pin. */
const HEALTH_POLL_MS = 50;

/**
 * A connection in a worker thread that begins a read transaction before the writer starts and
 * holds it all run, as Litestream, a backup or a `sqlite3` shell left inside a transaction do.
 * Its snapshot stops every checkpoint's backfill; neither side can pause it.
 */
const PINNING_READER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = workerData.bun ? require('bun:sqlite').Database : require(workerData.module);
const db = new Database(workerData.path, { readonly: true });
db.exec('BEGIN');
db.prepare('SELECT count(*) AS n FROM rows').get();
parentPort.postMessage('pinned');
parentPort.once('message', () => {
  db.exec('COMMIT');
  db.close();
  parentPort.close();
});
`;

const pinningReader: Beside = {
  async open(path: string, runtime: BenchRuntime) {
    const bun = runtime.name === 'bun';
    const module = bun ? '' : createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(PINNING_READER, { eval: true, workerData: { path, bun, module } });
    const [message] = await Promise.race([
      once(worker, 'message'),
      once(worker, 'error').then(([error]) => Promise.reject(error)),
    ]);
    if (message !== 'pinned') throw new Error(`the pinning reader said ${String(message)}`);
    return {
      async close() {
        const exited = once(worker, 'exit');
        worker.postMessage('release');
        await exited;
      },
    };
  },
};

/** Polls health() from the start of the run until it names the pin. */
function watchForPin(wk: Walkeeper): { stop(): { pinReportedAfterMs: number } } {
  const began = performance.now();
  let reportedAfterMs: number | undefined;
  const timer = setInterval(() => {
    if (reportedAfterMs !== undefined) return;
    if (wk.health().reasons.some((reason) => reason.code === 'WAL_PINNED_BY_READER'))
      reportedAfterMs = performance.now() - began;
  }, HEALTH_POLL_MS);
  return {
    stop() {
      clearInterval(timer);
      // Never named: the whole run, which misses the target as it should.
      return { pinReportedAfterMs: Math.round(reportedAfterMs ?? performance.now() - began) };
    },
  };
}

const setup: SideBySide = { name: 'pinned', beside: pinningReader, watch: watchForPin };

/**
 * A reader walkeeper does not own holds one snapshot all run. Before, walkeeper answered with
 * a checkpoint storm (6,281 PASSIVE a second, 7 s of main-thread CPU in 8 s) and health said
 * ok; now a checkpoint that gets no further waits, and health names the pin.
 */
export const pinned: Scenario = {
  name: 'pinned',
  summary: 'the steady writer beside a worker-thread reader holding one read transaction all run',
  defaultSeconds: 10,
  targets: [
    { path: 'results.walkeeper.checkpointsPerSec', op: '<=', threshold: 2 },
    { path: 'ratios.mainCpuVsRaw', op: '<=', threshold: 1.2 },
    { path: 'ratios.writeP99VsRaw', op: '<=', threshold: 2.0 },
    { path: 'results.walkeeper.pinReportedAfterMs', op: '<=', threshold: 5000 },
  ],
  run: runPinned,
};

async function runPinned(context: ScenarioContext): Promise<ScenarioOutcome> {
  const { raw, walkeeper, results } = await runSideBySide(context, setup);
  return {
    results,
    ratios: {
      mainCpuVsRaw: ratio(walkeeper.mainCpuMs, raw.mainCpuMs),
      writeP99VsRaw: ratio(walkeeper.writeP99Ms, raw.writeP99Ms),
    },
  };
}
