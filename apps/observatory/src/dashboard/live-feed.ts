import type { HealthStatus } from '@walkeeper/core';
import type { Alert, HistorySample, MetricsHistoryPlugin } from '@walkeeper/history';
import type { IngestStatus } from '../ingest/ingester.js';

/** One second of the dashboard: what its charts plot and its panels show. */
export interface LiveTick {
  /** End of the second, ms since the epoch. */
  at: number;
  wal: { bytes: number; capBytes: number; frames: number; backfilledFrames: number };
  databaseBytes: number;
  /** Checkpoints that ran in this second, by mode and outcome. */
  checkpoints: { mode: string; outcome: string; count: number; maxMs: number }[];
  reads: Latency;
  writes: Latency;
  pool: { size: number; used: number; pending: number; maxQueue: number };
  ingest: {
    state: IngestStatus['state'];
    messages: number;
    messagesPerSecond: number;
    files: number;
    malformed: number;
  };
  health: { status: HealthStatus; reasons: string[] };
  alerts: Pick<Alert, 'code' | 'severity' | 'message' | 'advice'>[];
}

export interface Latency {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LiveFeedOptions {
  /**
   * The per-second history: a `metricsHistory()` whose own timer never fires (its resolution
   * is a day), so this feed's clock ends every interval and each tick is exactly one sample.
   */
  history: Pick<MetricsHistoryPlugin, 'sample' | 'alerts'>;
  ingest: { status(): IngestStatus };
  /** Default 1000 ms: one update a second, what the charts are drawn for. */
  intervalMs?: number;
  /** Ticks kept for a client that connects late (its charts start filled). Default 300. */
  keep?: number;
}

type Listener = (tick: LiveTick) => void;

/**
 * The dashboard's clock: every second one sample of walkeeper's metrics and the ingester's
 * state, kept in a short ring and pushed to every subscriber (the Server-Sent Events streams).
 * One timer for all clients, so a hundred open dashboards cost what one does.
 */
export class LiveFeed {
  readonly #options: LiveFeedOptions;
  readonly #keep: number;
  readonly #ticks: LiveTick[] = [];
  readonly #listeners = new Set<Listener>();
  readonly #stopped = new AbortController();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: LiveFeedOptions) {
    this.#options = options;
    this.#keep = options.keep ?? 300;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.tick(), this.#options.intervalMs ?? 1000);
    // The feed must not keep a process alive that has nothing else to do.
    this.#timer.unref?.();
  }

  /** Stops the clock for good and lets every stream end (see `signal`). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
    this.#stopped.abort();
  }

  /** Aborted when the feed stops: an open stream ends with it instead of waiting forever. */
  get signal(): AbortSignal {
    return this.#stopped.signal;
  }

  /** Ends the current second now and tells every subscriber (the timer calls this). */
  tick(): LiveTick | undefined {
    const sample = this.#options.history.sample();
    if (sample === undefined) return undefined;
    const tick = toTick(sample, this.#options.ingest.status(), this.#options.history.alerts());
    this.#ticks.push(tick);
    if (this.#ticks.length > this.#keep) this.#ticks.shift();
    for (const listener of this.#listeners) {
      try {
        listener(tick);
      } catch {
        // One broken stream must not stop the others; its own abort handler cleans it up.
      }
    }
    return tick;
  }

  /** The ticks kept, oldest first. */
  recent(): LiveTick[] {
    return [...this.#ticks];
  }

  get subscribers(): number {
    return this.#listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function latency(summary: HistorySample['reads']): Latency {
  return {
    count: summary.count,
    p50Ms: round(summary.p50Ms),
    p95Ms: round(summary.p95Ms),
    p99Ms: round(summary.p99Ms),
    maxMs: round(summary.maxMs),
  };
}

function toTick(sample: HistorySample, ingest: IngestStatus, alerts: Alert[]): LiveTick {
  return {
    at: sample.at,
    wal: { ...sample.wal },
    databaseBytes: sample.databaseBytes,
    checkpoints: sample.checkpoints.map((c) => ({
      mode: c.mode,
      outcome: c.outcome,
      count: c.count,
      maxMs: round(c.maxMs),
    })),
    reads: latency(sample.reads),
    writes: latency(sample.writes),
    pool: {
      size: sample.pool.size,
      used: sample.pool.used,
      pending: sample.pool.pending,
      maxQueue: sample.pool.maxQueue,
    },
    ingest: {
      state: ingest.state,
      messages: ingest.messages,
      messagesPerSecond: ingest.messagesPerSecond,
      files: ingest.files,
      malformed: ingest.malformed,
    },
    health: { status: sample.health.status, reasons: [...sample.health.reasons] },
    alerts: alerts.map(({ code, severity, message, advice }) => ({
      code,
      severity,
      message,
      advice,
    })),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
