import type { SqliteParams, SqliteRow } from './driver.js';
import type { PoolStats } from './metrics.js';

export interface ReadOptions {
  /** Aborts the read: a queued read is dropped, a running one is reported as aborted. */
  signal?: AbortSignal;
  /** Time limit for this read, waiting included; overrides `readers.timeoutMs`. */
  timeoutMs?: number;
}

/** What the manager needs from a pool of reader connections, whatever thread they live on. */
export interface ReadPool {
  read<Row = SqliteRow>(
    sql: string,
    params: SqliteParams | undefined,
    options: ReadOptions | undefined,
  ): Promise<Row[]>;
  /** Holds new reads and resolves once no read is in flight (the checkpoint barrier). */
  pause(): Promise<void>;
  /** Lets held reads go. */
  resume(): void;
  /** Drains reads in flight, rejects new ones with E_CLOSED, closes the connections. */
  close(): Promise<void>;
  /** Stops at once: pending and running reads reject with E_CLOSED. */
  destroy(): Promise<void>;
  stats(): PoolStats;
  /** Reads running or waiting: cheap, for the checkpoint scheduler. */
  inFlight(): number;
}
