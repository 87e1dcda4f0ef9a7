import { type AsyncTransaction, AsyncTransactionHandle } from './async-transaction.js';
import { WalkeeperError } from './errors.js';
import type { Metrics } from './metrics.js';
import { closedError } from './read-errors.js';
import type { WriteTransaction } from './transaction-runner.js';
import type { Writer } from './writer.js';

export interface TransactionOptions {
  /** Rolls back and rejects with E_TIMEOUT when the callback has not settled by then. */
  timeoutMs?: number;
  /** Rolls back and rejects with the signal's reason when aborted. */
  signal?: AbortSignal;
}

interface Entry {
  queuedAt: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface BatchEntry extends Entry {
  kind: 'batch';
  fn: (tx: WriteTransaction) => unknown;
  /** A flush has come for it: it commits in the next group. */
  due: boolean;
}

interface TransactionEntry extends Entry {
  kind: 'transaction';
  fn: (tx: AsyncTransaction) => unknown;
  options: TransactionOptions;
}

/**
 * The async writers, in call order, on the one writer connection. `batch()` calls that arrive
 * while a group is forming (one turn of the event loop, or `batch.maxDelayMs`) commit together
 * in one `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint, and resolve after the COMMIT
 * has returned. `transaction()` holds the writer across awaits; everything queued after it
 * waits. Checkpoints that need the writer take it between transactions (`acquire`).
 */
export class WriteQueue {
  readonly #writer: Writer;
  readonly #metrics: Metrics;
  readonly #maxDelayMs: number | undefined;
  readonly #maxSize: number;
  readonly #queue: (BatchEntry | TransactionEntry)[] = [];
  #flushScheduled = false;
  /** The async transaction holding the writer, if any. */
  #open: AsyncTransactionHandle | undefined;
  #openedAt: number | undefined;
  /** A checkpoint holds the writer: no async transaction may start. */
  #held = false;
  #heldWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(
    writer: Writer,
    metrics: Metrics,
    options: { maxDelayMs: number | undefined; maxSize: number },
  ) {
    this.#writer = writer;
    this.#metrics = metrics;
    this.#maxDelayMs = options.maxDelayMs;
    this.#maxSize = options.maxSize;
  }

  /** How long the open async transaction has held the writer; 0 when none is open. */
  get transactionOpenMs(): number {
    return this.#openedAt === undefined ? 0 : performance.now() - this.#openedAt;
  }

  /** An async transaction holds the writer: a synchronous write now would have to join it. */
  get transactionOpen(): boolean {
    return this.#open !== undefined;
  }

  batch<T>(fn: (tx: WriteTransaction) => T): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        kind: 'batch',
        fn,
        due: false,
        queuedAt: performance.now(),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (this.#queue.length >= this.#maxSize) this.#flush();
      else this.#scheduleFlush();
    });
  }

  transaction<T>(
    fn: (tx: AsyncTransaction) => Promise<T>,
    options: TransactionOptions,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        kind: 'transaction',
        fn,
        options,
        queuedAt: performance.now(),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.#pump();
    });
  }

  /**
   * Commits the batch members queued so far, now. A synchronous `write()` calls this first,
   * so that writes commit in call order.
   */
  flushPending(): void {
    if (this.#queue.length > 0 && this.#open === undefined) this.#flush();
  }

  /** Takes the writer for a checkpoint: resolves once no async transaction holds it. */
  async acquire(): Promise<void> {
    while (this.#open !== undefined || this.#held) {
      await new Promise<void>((resolve) => this.#heldWaiters.push(resolve));
    }
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    for (const wake of this.#heldWaiters.splice(0)) wake();
    this.#pump();
  }

  /** Resolves when everything queued has committed or failed. */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && this.#open === undefined) return Promise.resolve();
    this.flushPending();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Refuses new calls; with `rejectQueued` (destroy) what waits is rejected with E_CLOSED. */
  close(rejectQueued: boolean): void {
    this.#closed = true;
    if (!rejectQueued) return;
    for (const entry of this.#queue.splice(0)) entry.reject(closedError());
    this.#open?.abort(closedError());
    this.#idle();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    const flush = () => {
      this.#flushScheduled = false;
      this.#flush();
    };
    if (this.#maxDelayMs === undefined) setImmediate(flush);
    else setTimeout(flush, this.#maxDelayMs);
  }

  /** Marks every queued batch member due and runs what can run. */
  #flush(): void {
    for (const entry of this.#queue) if (entry.kind === 'batch') entry.due = true;
    this.#pump();
  }

  #pump(): void {
    while (this.#open === undefined) {
      const head = this.#queue[0];
      if (head === undefined) {
        this.#idle();
        return;
      }
      if (head.kind === 'batch') {
        if (!head.due) return;
        this.#runGroup(this.#takeGroup());
        continue;
      }
      if (this.#held) return;
      this.#queue.shift();
      this.#runTransaction(head);
    }
  }

  #takeGroup(): BatchEntry[] {
    const group: BatchEntry[] = [];
    while (group.length < this.#maxSize) {
      const head = this.#queue[0];
      if (head === undefined || head.kind !== 'batch' || !head.due) break;
      group.push(head);
      this.#queue.shift();
    }
    return group;
  }

  /** One BEGIN IMMEDIATE … COMMIT for the group; each member in its own savepoint. */
  #runGroup(group: BatchEntry[]): void {
    const runner = this.#writer.runner;
    const started = performance.now();
    const stats = this.#metrics.batches;
    for (const member of group) stats.queueWait.record(started - member.queuedAt);
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      runner.begin();
      for (const member of group) {
        try {
          outcomes.push({ ok: true, value: runner.member(member.fn) });
        } catch (error) {
          outcomes.push({ ok: false, value: this.#writer.named(error) });
        }
      }
      // A failure SQLite answers by rolling back the whole transaction (a full disk) leaves
      // nothing to commit: every member fails with it.
      if (!runner.connection.inTransaction) {
        throw outcomes.find((outcome) => !outcome.ok)?.value ?? new Error('rolled back');
      }
      const committing = performance.now();
      runner.commit();
      stats.commit.record(performance.now() - committing);
    } catch (thrown) {
      runner.rollback();
      const error = this.#writer.finish(started, thrown);
      stats.failedGroups++;
      for (const member of group) member.reject(error);
      return;
    }
    this.#writer.finish(started, undefined);
    stats.groups++;
    stats.groupSize.record(group.length);
    group.forEach((member, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) member.resolve(outcome.value);
      else {
        stats.failedMembers++;
        member.reject(outcome.value);
      }
    });
  }

  #runTransaction(entry: TransactionEntry): void {
    const handle = new AsyncTransactionHandle(this.#writer.runner, entry.options);
    this.#open = handle;
    const started = performance.now();
    this.#openedAt = started;
    this.#metrics.transactions.queueWait.record(started - entry.queuedAt);
    handle.run(entry.fn).then(
      (value) => this.#endTransaction(entry, started, undefined, value),
      (error: unknown) => this.#endTransaction(entry, started, error, undefined),
    );
  }

  #endTransaction(entry: TransactionEntry, started: number, thrown: unknown, value: unknown): void {
    const stats = this.#metrics.transactions;
    const error = thrown === undefined ? undefined : this.#writer.finish(started, thrown);
    if (thrown === undefined) this.#writer.finish(started, undefined);
    stats.duration.record(performance.now() - started);
    if (error === undefined) {
      stats.committed++;
      entry.resolve(value);
    } else {
      stats.rolledBack++;
      if (error instanceof WalkeeperError && error.code === 'E_TIMEOUT') stats.timeouts++;
      entry.reject(error);
    }
    this.#open = undefined;
    this.#openedAt = undefined;
    for (const wake of this.#heldWaiters.splice(0)) wake();
    this.#pump();
  }

  #idle(): void {
    if (this.#queue.length > 0 || this.#open !== undefined) return;
    for (const wake of this.#idleWaiters.splice(0)) wake();
  }
}
