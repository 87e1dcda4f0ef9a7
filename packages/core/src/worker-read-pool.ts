import type { Worker } from 'node:worker_threads';
import type { SqliteParams, SqliteRow } from './driver.js';
import { WalkeeperError } from './errors.js';
import { Histogram } from './histogram.js';
import type { Metrics, PoolStats } from './metrics.js';
import { abortedError, closedError } from './read-errors.js';
import type { ReadOptions, ReadPool } from './read-pool.js';
import type {
  FromWorker,
  ReadBatch,
  ReadResults,
  SerializedError,
  WorkerSetup,
} from './worker/protocol.js';
import { reviveError } from './worker/revive-error.js';
import { spawnSqliteWorker } from './worker/spawn.js';

const QUEUED = 0;
const RUNNING = 1;
const SETTLED = 2;

interface Task {
  id: number;
  sql: string;
  params: SqliteParams | undefined;
  resolve(rows: SqliteRow[]): void;
  reject(error: unknown): void;
  queuedAt: number;
  dispatchedAt: number;
  deadline: number;
  timeoutMs: number;
  state: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Batches sent and not yet answered, oldest first: workers answer in order. */
  batches: Task[][];
  /** Statement ids this worker has prepared. */
  known: Set<number>;
  /** Statement ids to tell this worker to forget with its next batch. */
  drops: number[];
  lastError: unknown;
  stopping: boolean;
  /** Settles when the thread has exited: a worker that died while starting never exits twice. */
  exited: Promise<void>;
}

export interface WorkerPoolOptions {
  size: number;
  maxQueue: number;
  timeoutMs: number;
  statementCacheSize: number;
  setup: WorkerSetup;
  metrics: Metrics;
}

/** Most reads one message carries: large enough to amortise a message, small enough to share. */
const MAX_BATCH = 64;
const MAX_BATCHES_IN_FLIGHT = 2;
const RESTART_BACKOFF_MS = [0, 50, 200, 1000, 5000];

/**
 * Reader connections in worker threads. Reads queue on the main thread and go to idle workers
 * in batches: one message out and one back for up to 64 reads, so message passing is paid per
 * batch, not per read. Statements are named by number after a worker has seen their SQL once.
 */
export class WorkerReadPool implements ReadPool {
  readonly #options: WorkerPoolOptions;
  readonly #metrics: Metrics;
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  readonly #statementIds = new Map<string, number>();
  readonly #waitTime = new Histogram();
  readonly #useTime = new Histogram();
  #nextTaskId = 1;
  #nextStatementId = 1;
  #dispatchScheduled = false;
  #paused = false;
  #closing = false;
  #closed = false;
  /** Batches sent and not yet answered, across workers. */
  #busy = 0;
  #drainWaiters: (() => void)[] = [];
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #timeouts = 0;
  #aborted = 0;
  #crashes = 0;
  #startFailures = 0;
  /** Set to 1 while a barrier waits: workers stop between reads and hand the rest back. */
  readonly #yieldSignal = new Int32Array(new SharedArrayBuffer(4));
  /** Reads handed back during this pause, at the front of the queue in arrival order. */
  #requeued = 0;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#metrics = options.metrics;
  }

  /** Starts every worker and resolves when all have opened their connection. */
  async start(): Promise<void> {
    const started = Array.from({ length: this.#options.size }, (_, index) => this.#spawn(index));
    try {
      await Promise.all(started);
    } catch (error) {
      await this.destroy();
      throw error;
    }
  }

  #spawn(index: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = spawnSqliteWorker({
        ...this.#options.setup,
        yieldSignal: this.#yieldSignal.buffer as SharedArrayBuffer,
      });
      const slot: Slot = {
        worker,
        ready: false,
        batches: [],
        known: new Set(),
        drops: [],
        lastError: undefined,
        stopping: false,
        exited: new Promise((settle) => worker.once('exit', () => settle())),
      };
      this.#slots[index] = slot;
      worker.on('message', (message: FromWorker) => {
        if (message.t === 'results') this.#onResults(slot, message);
        else if (message.t === 'ready') {
          slot.ready = true;
          worker.unref();
          this.#startFailures = 0;
          resolve();
          this.#scheduleDispatch();
        } else if (message.t === 'fatal') {
          slot.lastError = reviveError(message.error);
          reject(slot.lastError);
        }
      });
      worker.on('error', (error) => {
        slot.lastError = error;
      });
      worker.on('exit', (code) => {
        reject(
          slot.lastError ??
            new WalkeeperError(
              'E_READER_CRASHED',
              `A reader worker exited with code ${code} while starting.`,
            ),
        );
        this.#onExit(slot, index, code);
      });
    });
  }

  #onExit(slot: Slot, index: number, code: number): void {
    if (this.#slots[index] !== slot) return;
    const wasReady = slot.ready;
    slot.ready = false;
    const running = slot.batches.flat();
    this.#busy -= slot.batches.length;
    slot.batches = [];
    if (slot.stopping || this.#closed) return;
    if (running.length > 0) {
      const cause = slot.lastError ?? new Error(`reader worker exited with code ${code}`);
      for (const task of running) {
        if (task.state === SETTLED) continue;
        this.#settle(task);
        this.#metrics.readErrors++;
        task.reject(
          new WalkeeperError(
            'E_READER_CRASHED',
            `The reader worker running this read died (${String(cause)}); it was replaced.`,
            {
              cause,
            },
          ),
        );
      }
    }
    this.#crashes++;
    if (!wasReady) this.#startFailures++;
    this.#notifyDrained();
    // A worker that cannot even start (a bad driver module, a deleted file) is retried with
    // growing pauses instead of in a tight loop.
    const delay = RESTART_BACKOFF_MS[Math.min(this.#startFailures, RESTART_BACKOFF_MS.length - 1)]!;
    const timer = setTimeout(() => {
      if (this.#closed || this.#closing) return;
      this.#spawn(index).catch(() => undefined);
    }, delay);
    timer.unref?.();
  }

  read<Row = SqliteRow>(
    sql: string,
    params: SqliteParams | undefined,
    options: ReadOptions | undefined,
  ): Promise<Row[]> {
    if (this.#closing || this.#closed) return Promise.reject(closedError());
    const signal = options?.signal;
    if (signal?.aborted) {
      this.#aborted++;
      return Promise.reject(abortedError(signal));
    }
    if (this.#queue.length >= this.#options.maxQueue) {
      return Promise.reject(
        new WalkeeperError(
          'E_POOL_QUEUE_FULL',
          `The read queue is full (${this.#options.maxQueue} reads waiting).`,
          {
            details: { maxQueue: this.#options.maxQueue },
          },
        ),
      );
    }
    return new Promise<Row[]>((resolve, reject) => {
      const now = performance.now();
      const timeoutMs = options?.timeoutMs ?? this.#options.timeoutMs;
      const task: Task = {
        id: this.#nextTaskId++,
        sql,
        params,
        resolve: resolve as (rows: SqliteRow[]) => void,
        reject,
        queuedAt: now,
        dispatchedAt: 0,
        deadline: now + timeoutMs,
        timeoutMs,
        state: QUEUED,
        signal,
        onAbort: undefined,
      };
      if (signal) {
        task.onAbort = () => {
          if (task.state === SETTLED) return;
          this.#aborted++;
          this.#settle(task);
          task.reject(abortedError(signal));
        };
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.#queue.push(task);
      if (this.#sweeper === undefined) this.#startSweeper();
      this.#scheduleDispatch();
    });
  }

  #settle(task: Task): void {
    task.state = SETTLED;
    if (task.onAbort) task.signal!.removeEventListener('abort', task.onAbort);
  }

  #scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    // After the current microtasks: clients that were just answered queue their next read
    // first, so the batch that goes out carries all of them.
    queueMicrotask(() => this.#dispatch());
  }

  #dispatch(): void {
    this.#dispatchScheduled = false;
    if (this.#paused) return;
    const queue = this.#queue;
    // Free batch slots across workers. Each worker may hold two batches, so it starts the
    // next one while the main thread is still answering the last: no ping-pong idling.
    let free = 0;
    for (const slot of this.#slots)
      if (slot?.ready) free += MAX_BATCHES_IN_FLIGHT - slot.batches.length;
    for (let depth = 0; depth < MAX_BATCHES_IN_FLIGHT; depth++) {
      for (const slot of this.#slots) {
        if (queue.length === 0 || free === 0) return;
        if (!slot?.ready || slot.batches.length !== depth) continue;
        const take = Math.min(Math.ceil(queue.length / free), MAX_BATCH);
        free--;
        const batch: Task[] = [];
        let taken = 0;
        while (taken < queue.length && batch.length < take) {
          const task = queue[taken++]!;
          if (task.state === QUEUED) batch.push(task);
        }
        queue.splice(0, taken);
        if (batch.length > 0) this.#send(slot, batch);
      }
    }
  }

  #statementId(sql: string): number {
    const ids = this.#statementIds;
    const existing = ids.get(sql);
    if (existing !== undefined) return existing;
    const id = this.#nextStatementId++;
    ids.set(sql, id);
    if (ids.size > Math.max(this.#options.statementCacheSize, 1)) {
      const [oldestSql, oldestId] = ids.entries().next().value as [string, number];
      ids.delete(oldestSql);
      for (const slot of this.#slots) if (slot?.known.delete(oldestId)) slot.drops.push(oldestId);
    }
    return id;
  }

  #send(slot: Slot, batch: Task[]): void {
    const defs: (number | string)[] = [];
    const tasks: unknown[] = new Array(batch.length * 3);
    const now = performance.now();
    for (let i = 0; i < batch.length; i++) {
      const task = batch[i]!;
      const statementId = this.#statementId(task.sql);
      if (!slot.known.has(statementId)) {
        slot.known.add(statementId);
        defs.push(statementId, task.sql);
      }
      task.state = RUNNING;
      task.dispatchedAt = now;
      tasks[i * 3] = task.id;
      tasks[i * 3 + 1] = statementId;
      tasks[i * 3 + 2] = task.params;
    }
    const message: ReadBatch = { t: 'read', defs, drop: slot.drops, tasks };
    try {
      slot.worker.postMessage(message);
    } catch (error) {
      // Parameters that cannot cross a thread (a function, a symbol): fail those reads only.
      for (const id of defs.filter((_, i) => i % 2 === 0)) slot.known.delete(id as number);
      this.#rejectUnclonable(slot, batch, error);
      return;
    }
    slot.drops = [];
    slot.batches.push(batch);
    // Busy workers keep the process alive until they answer; idle ones never do.
    slot.worker.ref();
    this.#busy++;
  }

  #rejectUnclonable(slot: Slot, batch: Task[], error: unknown): void {
    const sendable: Task[] = [];
    for (const task of batch) {
      try {
        structuredClone(task.params);
        task.state = QUEUED;
        sendable.push(task);
      } catch {
        this.#settle(task);
        this.#metrics.readErrors++;
        task.reject(
          new WalkeeperError(
            'E_CONFIG',
            `Invalid read parameters: they cannot be sent to a reader thread (${String(error)}).`,
            {
              cause: error,
            },
          ),
        );
      }
    }
    if (sendable.length > 0) this.#send(slot, sendable);
  }

  #onResults(slot: Slot, message: ReadResults): void {
    const batch = slot.batches.shift();
    if (!batch) return;
    if (slot.batches.length === 0) slot.worker.unref();
    this.#busy--;
    const { results, useMs } = message;
    const metrics = this.#metrics;
    const now = performance.now();
    const handedBack: Task[] = [];
    for (let i = 0, j = 0; j < batch.length; i += 3, j++) {
      const task = batch[j]!;
      if (results[i + 1] === null) {
        // Not started: a barrier asked the worker to yield. Queued again, not failed.
        if (task.state === SETTLED) continue;
        task.state = QUEUED;
        handedBack.push(task);
        continue;
      }
      this.#useTime.record(useMs[j]!);
      if (task.state === SETTLED) continue;
      this.#settle(task);
      this.#waitTime.record(task.dispatchedAt - task.queuedAt);
      metrics.reads++;
      metrics.readLatency.record(now - task.queuedAt);
      if (results[i + 1] === true) task.resolve(results[i + 2] as SqliteRow[]);
      else {
        metrics.readErrors++;
        task.reject(reviveError(results[i + 2] as SerializedError));
      }
    }
    if (handedBack.length > 0) this.#requeue(handedBack);
    this.#notifyDrained();
    if (this.#queue.length > 0) this.#scheduleDispatch();
  }

  /** Puts handed-back reads first in the queue, oldest first, as if never dispatched. */
  #requeue(tasks: Task[]): void {
    const front = this.#queue.splice(0, this.#requeued);
    front.push(...tasks);
    front.sort((a, b) => a.id - b.id);
    this.#queue.unshift(...front);
    this.#requeued = front.length;
  }

  #notifyDrained(): void {
    if (this.#busy !== 0 || this.#drainWaiters.length === 0) return;
    if (this.#closing && this.#queue.length > 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #startSweeper(): void {
    this.#sweeper = setInterval(() => this.#sweep(), 10);
    this.#sweeper.unref?.();
  }

  /** Rejects reads past their deadline, queued or running; stops itself when idle. */
  #sweep(): void {
    const now = performance.now();
    let live = 0;
    const expire = (task: Task) => {
      if (task.state === SETTLED) return;
      if (now < task.deadline) {
        live++;
        return;
      }
      this.#timeouts++;
      this.#metrics.readErrors++;
      this.#settle(task);
      task.reject(
        new WalkeeperError(
          'E_TIMEOUT',
          `The read took more than ${task.timeoutMs} ms (waiting included).`,
          {
            details: { timeoutMs: task.timeoutMs },
          },
        ),
      );
    };
    for (const task of this.#queue) expire(task);
    for (const slot of this.#slots)
      for (const batch of slot?.batches ?? []) for (const task of batch) expire(task);
    if (live === 0 && this.#busy === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
      // Settled tasks may linger in the queue (aborted, timed out); drop them.
      this.#queue.length = 0;
    }
  }

  pause(): Promise<void> {
    this.#paused = true;
    // Running batches stop at their next read instead of finishing: the barrier waits for
    // one read per worker, not for up to two whole batches.
    Atomics.store(this.#yieldSignal, 0, 1);
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  resume(): void {
    this.#paused = false;
    Atomics.store(this.#yieldSignal, 0, 0);
    this.#requeued = 0;
    this.#scheduleDispatch();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    this.#paused = false;
    Atomics.store(this.#yieldSignal, 0, 0);
    this.#scheduleDispatch();
    while (this.#busy > 0 || this.#queue.some((task) => task.state !== SETTLED)) {
      await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    }
    await this.#stopWorkers(false);
  }

  async destroy(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    const unfinished = [
      ...this.#queue,
      ...this.#slots.flatMap((slot) => slot?.batches.flat() ?? []),
    ];
    this.#queue.length = 0;
    for (const task of unfinished) {
      if (task.state === SETTLED) continue;
      this.#settle(task);
      task.reject(closedError());
    }
    await this.#stopWorkers(true);
  }

  async #stopWorkers(force: boolean): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await Promise.all(
      this.#slots.map(async (slot) => {
        if (!slot) return;
        slot.stopping = true;
        // The caller awaits close(): an idle (unref'd) worker must not let the process exit first.
        slot.worker.ref();
        if (force || !slot.ready) await slot.worker.terminate();
        else slot.worker.postMessage({ t: 'close' });
        await slot.exited;
      }),
    );
    this.#busy = 0;
    this.#notifyDrained();
  }

  inFlight(): number {
    let running = 0;
    for (const slot of this.#slots)
      for (const batch of slot?.batches ?? []) running += batch.length;
    return this.#queue.length + running;
  }

  stats(): PoolStats {
    let idle = 0;
    let used = 0;
    if (!this.#closed) {
      for (const slot of this.#slots) {
        if (!slot?.ready) continue;
        if (slot.batches.length > 0) used++;
        else idle++;
      }
    }
    return {
      mode: 'worker',
      connections: { idle, used },
      max: this.#options.size,
      pending: this.#queue.reduce((n, task) => n + (task.state === QUEUED ? 1 : 0), 0),
      waitTimeMs: this.#waitTime.snapshot(),
      useTimeMs: this.#useTime.snapshot(),
      timeouts: this.#timeouts,
      aborted: this.#aborted,
      crashes: this.#crashes,
      paused: this.#paused,
    };
  }
}
