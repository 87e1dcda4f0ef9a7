import type { SqliteConnection } from './driver.js';
import {
  fileBytes,
  hasNoopCheckpoint,
  ShmHeader,
  sampleWal,
  type WalSample,
} from './wal-sample.js';

/**
 * Keeps the latest WAL sample (file size, frames, backfilled frames) and the database's
 * size, refreshed on a timer and after checkpoints, so `stats()` and `health()` never touch
 * the disk. Samples go through the writer connection, so none is taken inside a transaction.
 */
export class WalSampler {
  readonly #path: string;
  readonly #writer: SqliteConnection;
  readonly #useNoop: boolean;
  /** True while sampling would be wrong or impossible (a transaction is open, or closed). */
  readonly #paused: () => boolean;
  /** The -shm header, read without a connection; closed with the walkeeper, after its connections. */
  readonly shm: ShmHeader;
  #latest: WalSample = { walBytes: 0, frames: 0, backfilledFrames: 0, sampledAt: 0 };
  #databaseBytes = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    path: string,
    writer: SqliteConnection,
    sqliteVersion: string,
    paused: () => boolean,
  ) {
    this.#path = path;
    this.shm = new ShmHeader(path);
    this.#writer = writer;
    this.#useNoop = hasNoopCheckpoint(sqliteVersion);
    this.#paused = paused;
  }

  get latest(): WalSample {
    return this.#latest;
  }

  get databaseBytes(): number {
    return this.#databaseBytes;
  }

  /** Samples now and caches the sample. */
  sample(): WalSample {
    this.#latest = sampleWal(this.#path, this.#writer, this.#useNoop, this.shm);
    this.#databaseBytes = fileBytes(this.#path);
    return this.#latest;
  }

  /**
   * A fresh sample, or the latest one while sampling is paused: the writer is inside a
   * transaction (an async `transaction()` can be open across ticks), where a sample through
   * it would run inside that transaction.
   */
  current(): WalSample {
    return this.#paused() ? this.#latest : this.sample();
  }

  /** Samples unless paused; a failed sample leaves the previous one (the next tick tries again). */
  sampleQuietly(): void {
    if (this.#paused()) return;
    try {
      this.sample();
    } catch {
      // Kept: the previous sample.
    }
  }

  start(intervalMs: number): void {
    this.sample();
    this.#timer = setInterval(() => this.sampleQuietly(), intervalMs);
    this.#timer.unref?.();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
