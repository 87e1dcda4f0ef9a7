// @ts-check
// The dashboard's data: one column per plotted series, one row per second, the last WINDOW
// seconds. uPlot draws columns as they are (aligned arrays), so a tick is a push on each.

/** @typedef {import('./types').LiveTick} LiveTick */

/** Seconds on screen. */
export const WINDOW = 300;
const MIB = 2 ** 20;

export class LiveSeries {
  /** @type {number[]} */ time = [];
  /** @type {number[]} */ walMiB = [];
  /** @type {number[]} */ capMiB = [];
  /** @type {(number | null)[][]} reads p50, p95, p99 (null: no read in that second) */
  reads = [[], [], []];
  /** @type {(number | null)[][]} */ writes = [[], [], []];
  /** @type {number[]} */ poolUsed = [];
  /** @type {number[]} */ poolPending = [];
  /** @type {number[]} */ poolSize = [];
  /** @type {number[]} messages stored in that second */ ingested = [];
  /** @type {number[]} the ingester's 10-second average */ ingestRate = [];
  /** @type {LiveTick['checkpoints'][]} */ checkpoints = [];
  /** @type {LiveTick | undefined} */ last;
  /** Ticks received since the page loaded. */
  received = 0;

  /** @param {LiveTick} tick */
  push(tick) {
    const previous = this.last;
    this.time.push(tick.at / 1000);
    this.walMiB.push(tick.wal.bytes / MIB);
    this.capMiB.push(tick.wal.capBytes / MIB);
    pushLatency(this.reads, tick.reads);
    pushLatency(this.writes, tick.writes);
    this.poolUsed.push(tick.pool.used);
    this.poolPending.push(tick.pool.pending);
    this.poolSize.push(tick.pool.size);
    // The first tick has nothing to compare with; a restart (fewer messages) is not negative.
    this.ingested.push(previous ? Math.max(0, tick.ingest.messages - previous.ingest.messages) : 0);
    this.ingestRate.push(tick.ingest.messagesPerSecond);
    this.checkpoints.push(tick.checkpoints);
    this.last = tick;
    this.received++;
    if (this.time.length > WINDOW) this.#dropOldest();
  }

  #dropOldest() {
    for (const column of [
      this.time,
      this.walMiB,
      this.capMiB,
      ...this.reads,
      ...this.writes,
      this.poolUsed,
      this.poolPending,
      this.poolSize,
      this.ingested,
      this.ingestRate,
      this.checkpoints,
    ])
      column.shift();
  }

  /** Checkpoints of the last `seconds`, by outcome. */
  checkpointTotals(seconds = 60) {
    /** @type {Record<string, number>} */
    const totals = { complete: 0, busy: 0, error: 0 };
    for (const list of this.checkpoints.slice(-seconds))
      for (const c of list) totals[c.outcome] = (totals[c.outcome] ?? 0) + c.count;
    return totals;
  }
}

/**
 * @param {(number | null)[][]} columns
 * @param {import('./types').Latency} latency
 */
function pushLatency(columns, latency) {
  const none = latency.count === 0;
  columns[0]?.push(none ? null : latency.p50Ms);
  columns[1]?.push(none ? null : latency.p95Ms);
  columns[2]?.push(none ? null : latency.p99Ms);
}
