import type { SqliteParams, SqliteRow } from './driver.js';
import type { Metrics, PoolStats } from './metrics.js';
import { abortedError, closedError, queueFullError } from './read-errors.js';
import type { ReadOptions, ReadPool } from './read-pool.js';
import { StatementIds } from './statement-ids.js';
import type { ReadResults, SerializedError, WorkerSetup } from './worker/protocol.js';
import { reviveError } from './worker/revive-error.js';
import { batchMessage, fillSlots } from './worker-dispatch.js';
import {
  crashedError,
  QUEUED,
  SETTLED,
  settle,
  type Task,
  timeoutError,
  unclonableError,
} from './worker-read-task.js';
import { connectionStates, runningReads, type Slot, startSlot, stopSlot } from './worker-slot.js';

export interface WorkerPoolOptions {
  size: number;
  maxQueue: number;
  timeoutMs: number;
  statementCacheSize: number;
  setup: WorkerSetup;
  metrics: Metrics;
}

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
  readonly #statementIds: StatementIds;
  #nextTaskId = 1;
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
    this.#statementIds = new StatementIds(options.statementCacheSize, (id) => {
      for (const slot of this.#slots) if (slot?.known.delete(id)) slot.drops.push(id);
    });
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
    const setup = {
      ...this.#options.setup,
      yieldSignal: this.#yieldSignal.buffer as SharedArrayBuffer,
    };
    const { slot, started } = startSlot(setup, {
      results: (from, message) => this.#onResults(from, message),
      ready: () => {
        this.#startFailures = 0;
        this.#scheduleDispatch();
      },
      exit: (from, code) => this.#onExit(from, index, code),
    });
    this.#slots[index] = slot;
    return started;
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
        this.#fail(task, crashedError(cause));
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
    if (this.#closing || this.#closed) return this.#refuse(sql, closedError());
    const signal = options?.signal;
    if (signal?.aborted) {
      this.#aborted++;
      return this.#refuse(sql, abortedError(signal));
    }
    if (this.#queue.length >= this.#options.maxQueue) {
      return this.#refuse(sql, queueFullError(this.#options.maxQueue));
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
          this.#settle(task, abortedError(signal));
        };
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.#queue.push(task);
      if (this.#sweeper === undefined) this.#startSweeper();
      this.#scheduleDispatch();
    });
  }

  /** A read refused before it was queued: timed (at zero) under its failure's name. */
  #refuse<Row>(sql: string, error: unknown): Promise<Row[]> {
    this.#metrics.operations.recordFailure('read', sql, 0, error);
    return Promise.reject(error);
  }

  /** Rejects a read that never got an answer from a worker, timed from its queueing. */
  #settle(task: Task, error: unknown): void {
    settle(task);
    this.#metrics.operations.recordFailure(
      'read',
      task.sql,
      performance.now() - task.queuedAt,
      error,
    );
    task.reject(error);
  }

  /** As `#settle`, and counted in `reads.errors`. */
  #fail(task: Task, error: unknown): void {
    this.#metrics.readErrors++;
    this.#settle(task, error);
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
    fillSlots(this.#queue, this.#slots, (slot, batch) => this.#send(slot, batch));
  }

  #send(slot: Slot, batch: Task[]): void {
    const { message, forget } = batchMessage(slot, batch, this.#statementIds);
    try {
      slot.worker.postMessage(message);
    } catch (error) {
      // Parameters that cannot cross a thread (a function, a symbol): fail those reads only.
      forget();
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
        this.#fail(task, unclonableError(error));
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
      // It ran on a connection, even if it timed out meanwhile: both times are real.
      metrics.poolWaitTime.record(task.dispatchedAt - task.queuedAt);
      metrics.poolUseTime.record(useMs[j]!);
      if (task.state === SETTLED) continue;
      settle(task);
      metrics.reads++;
      const latencyMs = now - task.queuedAt;
      if (results[i + 1] === true) {
        metrics.operations.readSucceeded(task.sql).record(latencyMs);
        task.resolve(results[i + 2] as SqliteRow[]);
      } else {
        const error = reviveError(results[i + 2] as SerializedError);
        metrics.readErrors++;
        metrics.operations.recordFailure('read', task.sql, latencyMs, error);
        task.reject(error);
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
      this.#fail(task, timeoutError(task));
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
      this.#settle(task, closedError());
    }
    await this.#stopWorkers(true);
  }

  async #stopWorkers(force: boolean): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await Promise.all(this.#slots.map((slot) => (slot ? stopSlot(slot, force) : undefined)));
    this.#busy = 0;
    this.#notifyDrained();
  }

  inFlight(): number {
    return this.#queue.length + runningReads(this.#slots);
  }

  stats(): PoolStats {
    return {
      mode: 'worker',
      connections: this.#closed ? { idle: 0, used: 0 } : connectionStates(this.#slots),
      max: this.#options.size,
      pending: this.#queue.reduce((n, task) => n + (task.state === QUEUED ? 1 : 0), 0),
      waitTimeMs: this.#metrics.poolWaitTime.snapshot(),
      useTimeMs: this.#metrics.poolUseTime.snapshot(),
      timeouts: this.#timeouts,
      aborted: this.#aborted,
      crashes: this.#crashes,
      paused: this.#paused,
    };
  }
}
