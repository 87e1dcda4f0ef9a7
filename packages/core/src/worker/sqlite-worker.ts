/**
 * The worker-thread entry: opens its own connection through the driver's module and serves
 * read batches (role `reader`) or PASSIVE checkpoints (role `checkpointer`), so neither the
 * event loop nor the writer waits for them. Uses node:worker_threads, which Bun implements.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type {
  SqliteConnection,
  SqliteDriverModule,
  SqliteParams,
  SqliteStatement,
} from '../driver.js';
import { notAQueryError } from '../read-errors.js';
import {
  type FromWorker,
  type ReadBatch,
  type ReadResults,
  type SerializedError,
  serializeError,
  type ToWorker,
  type WorkerSetup,
} from './protocol.js';

const setup = workerData as WorkerSetup;
const yieldSignal = setup.yieldSignal ? new Int32Array(setup.yieldSignal) : undefined;
const busySignal = setup.busySignal ? new Int32Array(setup.busySignal) : undefined;
/** How long one batch may keep a single read snapshot before it takes a fresh one. */
const SNAPSHOT_HOLD_MS = 2;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

function notAQuery(sql: string): SerializedError {
  return serializeError(notAQueryError(sql));
}

async function main(): Promise<void> {
  let connection: SqliteConnection;
  try {
    const mod = (await import(setup.driverModule)) as SqliteDriverModule;
    const driver = mod.createDriver(setup.driverOptions);
    connection = driver.open(setup.path, {
      readonly: setup.role === 'reader',
      fileMustExist: true,
    });
    for (const assignment of setup.pragmas) connection.pragma(assignment);
  } catch (error) {
    post({ t: 'fatal', error: serializeError(error) });
    port.close();
    return;
  }

  const statements = new Map<
    number,
    { sql: string; statement: SqliteStatement | SerializedError }
  >();
  const endReadTransaction = () => {
    try {
      connection.exec('COMMIT');
    } catch {
      // A read transaction has nothing to lose: if COMMIT fails, ROLLBACK releases the snapshot.
      if (connection.inTransaction) connection.exec('ROLLBACK');
    }
  };
  const runBatch = (batch: ReadBatch) => {
    for (const id of batch.drop) {
      const entry = statements.get(id);
      if (entry && 'finalize' in entry.statement) entry.statement.finalize?.();
      statements.delete(id);
    }
    const { defs, tasks } = batch;
    for (let i = 0; i < defs.length; i += 2) {
      const sql = defs[i + 1] as string;
      let statement: SqliteStatement | SerializedError;
      try {
        const prepared = connection.prepare(sql);
        statement = prepared.returnsData ? prepared : notAQuery(sql);
      } catch (error) {
        statement = serializeError(error);
      }
      statements.set(defs[i] as number, { sql, statement });
    }
    const results: ReadResults['results'] = new Array(tasks.length);
    const useMs: number[] = new Array(tasks.length / 3);
    // Several reads share one read transaction: SQLite then takes its snapshot (the WAL
    // read mark and the shared-memory index lookups) once per group instead of once per
    // read. The snapshot is renewed every SNAPSHOT_HOLD_MS so a long batch never pins the
    // WAL for a checkpoint, and reads still see commits made while the batch runs.
    const shared = tasks.length > 3;
    let inTransaction = false;
    let snapshotAt = 0;
    let last = performance.now();
    let i = 0;
    try {
      for (let j = 0; i < tasks.length; i += 3, j++) {
        if (yieldSignal !== undefined && Atomics.load(yieldSignal, 0) === 1) break;
        if (shared && !inTransaction) {
          connection.exec('BEGIN');
          inTransaction = true;
          snapshotAt = last;
        }
        results[i] = tasks[i] as number;
        const entry = statements.get(tasks[i + 1] as number);
        if (entry === undefined || !('all' in entry.statement)) {
          results[i + 1] = false;
          results[i + 2] = entry?.statement as SerializedError;
        } else {
          try {
            results[i + 2] = entry.statement.all(tasks[i + 2] as SqliteParams | undefined);
            results[i + 1] = true;
          } catch (error) {
            results[i + 1] = false;
            results[i + 2] = serializeError(error);
          }
        }
        const now = performance.now();
        useMs[j] = now - last;
        last = now;
        if (inTransaction && now - snapshotAt > SNAPSHOT_HOLD_MS) {
          endReadTransaction();
          inTransaction = false;
        }
      }
    } finally {
      if (inTransaction) endReadTransaction();
    }
    // Reads left when a barrier asked the worker to yield: handed back unrun.
    for (let j = i / 3; i < tasks.length; i += 3, j++) {
      results[i] = tasks[i] as number;
      results[i + 1] = null;
      useMs[j] = 0;
    }
    post({ t: 'results', results, useMs });
  };

  port.on('message', (message: ToWorker) => {
    if (message.t === 'read') runBatch(message);
    else if (message.t === 'checkpoint') {
      const started = performance.now();
      if (busySignal) Atomics.store(busySignal, 0, 1);
      try {
        const row = connection.pragma('wal_checkpoint(PASSIVE)')[0];
        post({
          t: 'checkpointed',
          id: message.id,
          row,
          error: undefined,
          durationMs: performance.now() - started,
        });
      } catch (error) {
        post({
          t: 'checkpointed',
          id: message.id,
          row: undefined,
          error: serializeError(error),
          durationMs: performance.now() - started,
        });
      } finally {
        if (busySignal) {
          Atomics.store(busySignal, 0, 0);
          Atomics.notify(busySignal, 0);
        }
      }
    } else if (message.t === 'close') {
      connection.close();
      port.close();
    }
  });
  post({ t: 'ready' });
}

void main();
