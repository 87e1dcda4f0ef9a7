import type { SqliteConnection, SqliteParams, SqliteRow } from './driver.js';
import { WalkeeperError } from './errors.js';
import { Histogram } from './histogram.js';
import type { Metrics, PoolStats } from './metrics.js';
import { abortedError, closedError, notAQueryError } from './read-errors.js';
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
  readonly #waitTime = new Histogram();
  readonly #useTime = new Histogram();
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
    if (this.#closed) return Promise.reject(closedError());
    const signal = options?.signal;
    if (signal?.aborted) {
      this.#aborted++;
      return Promise.reject(abortedError(signal));
    }
    if (!this.#paused) {
      try {
        return Promise.resolve(this.#run(sql, params, 0) as Row[]);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#held.length >= this.#maxQueue) {
      return Promise.reject(
        new WalkeeperError(
          'E_POOL_QUEUE_FULL',
          `The read queue is full (${this.#maxQueue} reads waiting).`,
          {
            details: { maxQueue: this.#maxQueue },
          },
        ),
      );
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
    try {
      const statement = slot.cache.get(sql);
      if (!statement.returnsData) throw notAQueryError(sql);
      return statement.all(params);
    } catch (error) {
      metrics.readErrors++;
      throw error;
    } finally {
      const used = performance.now() - started;
      this.#waitTime.record(waitedMs);
      this.#useTime.record(used);
      metrics.reads++;
      metrics.readLatency.record(waitedMs + used);
    }
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
        read.reject(closedError());
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
      read.reject(closedError());
    }
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
      waitTimeMs: this.#waitTime.snapshot(),
      useTimeMs: this.#useTime.snapshot(),
      timeouts: this.#timeouts,
      aborted: this.#aborted,
      crashes: 0,
      paused: this.#paused,
    };
  }
}
