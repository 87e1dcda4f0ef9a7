import type { Worker } from 'node:worker_threads';
import type { SqliteRow } from '../driver.js';
import type { FromWorker, WorkerSetup } from '../worker/protocol.js';
import { reviveError } from '../worker/revive-error.js';
import { spawnSqliteWorker } from '../worker/spawn.js';

interface Pending {
  resolve(value: { row: SqliteRow | undefined; durationMs: number }): void;
  reject(error: unknown): void;
}

/**
 * A connection in a worker thread that runs PASSIVE checkpoints, so page copies and fsyncs
 * block neither the event loop nor the writer. Started on first use; restarted after a crash.
 */
export class Checkpointer {
  readonly #setup: WorkerSetup;
  #worker: Worker | undefined;
  #ready: Promise<Worker> | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** 1 while the worker is inside a checkpoint (set and cleared by the worker itself). */
  readonly #busy = new Int32Array(new SharedArrayBuffer(4));

  constructor(setup: WorkerSetup) {
    this.#setup = {
      ...setup,
      role: 'checkpointer',
      busySignal: this.#busy.buffer as SharedArrayBuffer,
    };
  }

  /** The worker is inside a checkpoint right now (a plain shared-memory read). */
  get running(): boolean {
    return Atomics.load(this.#busy, 0) === 1;
  }

  /** The worker is started and answering (false before the first start and after a crash). */
  get ready(): boolean {
    return this.#worker !== undefined;
  }

  /**
   * Blocks the calling thread until the running checkpoint ends or `timeoutMs` passes.
   * For the writer's backpressure only: it stops the event loop.
   */
  waitUntilIdle(timeoutMs: number): void {
    Atomics.wait(this.#busy, 0, 1, Math.max(0, timeoutMs));
  }

  /**
   * Starts the worker now rather than at the first PASSIVE. Starting it takes a while (a
   * thread, a module load, a connection: measured up to a second on a loaded machine), and
   * the log grows meanwhile: the -wal, which only a TRUNCATE shrinks, kept that first
   * high-water mark (10 MiB where SQLite's autocheckpoint stays at 4). A failed start is
   * tried again, and reported, by the first PASSIVE.
   */
  warmUp(): void {
    this.#start().catch(() => undefined);
  }

  passive(): Promise<{ row: SqliteRow | undefined; durationMs: number }> {
    return this.#start().then(
      (worker) =>
        new Promise((resolve, reject) => {
          const id = this.#nextId++;
          this.#pending.set(id, { resolve, reject });
          // Someone awaits this checkpoint: the process must stay alive until it answers.
          worker.ref();
          worker.postMessage({ t: 'checkpoint', id, mode: 'PASSIVE' });
        }),
    );
  }

  #start(): Promise<Worker> {
    this.#ready ??= new Promise<Worker>((resolve, reject) => {
      const worker = spawnSqliteWorker(this.#setup);
      let lastError: unknown;
      worker.on('message', (message: FromWorker) => {
        if (message.t === 'ready') {
          this.#worker = worker;
          if (this.#pending.size === 0) worker.unref();
          resolve(worker);
        } else if (message.t === 'fatal') {
          lastError = reviveError(message.error);
        } else if (message.t === 'checkpointed') {
          const pending = this.#pending.get(message.id);
          this.#pending.delete(message.id);
          if (this.#pending.size === 0) worker.unref();
          if (message.error) pending?.reject(reviveError(message.error));
          else pending?.resolve({ row: message.row, durationMs: message.durationMs });
        }
      });
      worker.on('error', (error) => {
        lastError = error;
      });
      worker.on('exit', (code) => {
        // A worker that died inside a checkpoint never cleared its flag.
        Atomics.store(this.#busy, 0, 0);
        const error = lastError ?? new Error(`the checkpointer worker exited with code ${code}`);
        reject(error);
        for (const pending of this.#pending.values()) pending.reject(error);
        this.#pending.clear();
        this.#worker = undefined;
        this.#ready = undefined;
      });
      // Referenced while starting (a caller awaits the first checkpoint); once idle, the
      // checkpointer must never keep a process alive on its own.
    });
    return this.#ready;
  }

  async close(): Promise<void> {
    const worker = this.#worker ?? (await this.#ready?.catch(() => undefined));
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // The caller awaits close(): keep the process alive until the worker has exited.
    worker.ref();
    worker.postMessage({ t: 'close' });
    await exited;
  }
}
