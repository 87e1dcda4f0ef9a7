import type { SqliteConnection, SqliteParams, SqliteRow } from './driver.js';
import { WalkeeperError } from './errors.js';
import type { Metrics, PoolStats } from './metrics.js';
import { abortedError, closedError, notAQueryError, queueFullError } from './read-errors.js';
import type { ReadOptions, ReadPool } from './read-pool.js';
import { StatementCache } from './statement-cache.js';

interface HeldRead {
  sql: string;
  params: SqliteParams | undefined;
  queuedAt: number;
  resolve(rows: SqliteRow[]): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * Read-only connections on the main thread. A read runs synchronously the moment it is
 * asked for, so reads only ever wait while the pool is paused by the checkpoint barrier.
 */
export class InlineReadPool implements ReadPool {
  readonly #connections: { connection: SqliteConnection; cache: StatementCache }[];
  readonly #maxQueue: number;
  readonly #timeoutMs: number;
  readonly #metrics: Metrics;
  readonly #held: HeldRead[] = [];
  #next = 0;
  #paused = false;
  #closed = false;
  #timeouts = 0;
  #aborted = 0;

  constructor(
    connections: SqliteConnection[],
    cacheSize: number,
    maxQueue: number,
    timeoutMs: number,
    metrics: Metrics,
  ) {
    this.#connections = connections.map((connection) => ({
      connection,
      cache: new StatementCache(connection, cacheSize),
    }));
    this.#metrics = metrics;
    this.#maxQueue = maxQueue;
    this.#timeoutMs = timeoutMs;
  }

  /** The first connection, for synchronous prepared reads on the main thread. */
  get primary(): SqliteConnection {
    return this.#connections[0]!.connection;
  }

  read<Row = SqliteRow>(
    sql: string,
    params: SqliteParams | undefined,
    options: ReadOptions | undefined,
  ): Promise<Row[]> {
    if (this.#closed) return this.#refuse(sql, closedError());
    const signal = options?.signal;
    if (signal?.aborted) {
      this.#aborted++;
      return this.#refuse(sql, abortedError(signal));
    }
    if (!this.#paused) {
      try {
        return Promise.resolve(this.#run(sql, params, 0) as Row[]);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#held.length >= this.#maxQueue) {
      return this.#refuse(sql, queueFullError(this.#maxQueue));
    }
    return new Promise<Row[]>((resolve, reject) => {
      const timeoutMs = options?.timeoutMs ?? this.#timeoutMs;
      const held: HeldRead = {
        sql,
        params,
        queuedAt: performance.now(),
        resolve: resolve as (rows: SqliteRow[]) => void,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      const drop = (error: unknown) => {
        const index = this.#held.indexOf(held);
        if (index >= 0) this.#held.splice(index, 1);
        held.cleanup();
        this.#failed(sql, performance.now() - held.queuedAt, error);
        reject(error);
      };
      const timer = setTimeout(() => {
        this.#timeouts++;
        drop(
          new WalkeeperError('E_TIMEOUT', `The read waited more than ${timeoutMs} ms.`, {
            details: { timeoutMs },
          }),
        );
      }, timeoutMs);
      const onAbort = () => {
        this.#aborted++;
        drop(abortedError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#held.push(held);
    });
  }

  #run(sql: string, params: SqliteParams | undefined, waitedMs: number): SqliteRow[] {
    const slot = this.#connections[this.#next]!;
    this.#next = (this.#next + 1) % this.#connections.length;
    const started = performance.now();
    const metrics = this.#metrics;
    let rows: SqliteRow[];
    try {
      const statement = slot.cache.get(sql);
      if (!statement.returnsData) throw notAQueryError(sql);
      rows = statement.all(params);
    } catch (error) {
      const used = this.#ran(waitedMs, started);
      metrics.readErrors++;
      metrics.operations.recordFailure('read', sql, waitedMs + used, error);
      throw error;
    }
    metrics.operations.readSucceeded(sql).record(waitedMs + this.#ran(waitedMs, started));
    return rows;
  }

  /** Counts a read that ran and records its wait and use times; returns the use time. */
  #ran(waitedMs: number, started: number): number {
    const used = performance.now() - started;
    const metrics = this.#metrics;
    metrics.poolWaitTime.record(waitedMs);
    metrics.poolUseTime.record(used);
    metrics.reads++;
    return used;
  }

  /** A read refused before it could wait: timed (at zero) under its failure's name. */
  #refuse<Row>(sql: string, error: unknown): Promise<Row[]> {
    this.#failed(sql, 0, error);
    return Promise.reject(error);
  }

  #failed(sql: string, durationMs: number, error: unknown): void {
    this.#metrics.operations.recordFailure('read', sql, durationMs, error);
  }

  pause(): Promise<void> {
    // Inline reads never span a turn of the event loop, so nothing is in flight here.
    this.#paused = true;
    return Promise.resolve();
  }

  resume(): void {
    this.#paused = false;
    const held = this.#held.splice(0);
    for (const read of held) {
      read.cleanup();
      if (this.#closed) {
        this.#rejectClosed(read);
        continue;
      }
      try {
        read.resolve(this.#run(read.sql, read.params, performance.now() - read.queuedAt));
      } catch (error) {
        read.reject(error);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Held reads were acknowledged as queued: serve them before the connections go.
    if (this.#paused) this.#rejectHeld();
    else this.resume();
    for (const { connection, cache } of this.#connections) {
      cache.clear();
      connection.close();
    }
  }

  async destroy(): Promise<void> {
    this.#paused = true;
    this.#rejectHeld();
    await this.close();
  }

  #rejectHeld(): void {
    for (const read of this.#held.splice(0)) {
      read.cleanup();
      this.#rejectClosed(read);
    }
  }

  #rejectClosed(read: HeldRead): void {
    const error = closedError();
    this.#failed(read.sql, performance.now() - read.queuedAt, error);
    read.reject(error);
  }

  inFlight(): number {
    return this.#held.length;
  }

  stats(): PoolStats {
    return {
      mode: 'inline',
      connections: { idle: this.#closed ? 0 : this.#connections.length, used: 0 },
      max: this.#connections.length,
      pending: this.#held.length,
      waitTimeMs: this.#metrics.poolWaitTime.snapshot(),
      useTimeMs: this.#metrics.poolUseTime.snapshot(),
      timeouts: this.#timeouts,
      aborted: this.#aborted,
      crashes: 0,
      paused: this.#paused,
    };
  }
}
