import type {
  CheckpointMode,
  CheckpointOutcome,
  CheckpointResult,
  QueryEvent,
} from '@walkeeper/core';
import { LatencyRecorder, type LatencySummary } from './latency.js';
import type { CheckpointTally } from './sample.js';

/** One checkpoint as the persisted history keeps it. */
export interface CheckpointEvent {
  at: number;
  mode: CheckpointMode;
  outcome: CheckpointOutcome;
  durationMs: number;
  logFrames: number | undefined;
  checkpointedFrames: number | undefined;
  walBytesBefore: number | undefined;
  walBytesAfter: number | undefined;
}

/** Checkpoints kept one by one per interval; past it they are only tallied. */
export const MAX_CHECKPOINT_EVENTS = 64;

export interface IntervalData {
  reads: LatencySummary;
  writes: LatencySummary;
  checkpoints: CheckpointTally[];
  events: CheckpointEvent[];
  busyCheckpoints: number;
}

/** What happens between two samples: query latencies and checkpoints, from the hooks. */
export class IntervalRecorder {
  readonly #reads: LatencyRecorder;
  readonly #writes: LatencyRecorder;
  #tallies = new Map<string, CheckpointTally>();
  #events: CheckpointEvent[] = [];
  #busyCheckpoints = 0;
  /** Set while the history writes its own rows, which are not the application's queries. */
  paused = false;

  constructor(slowQueryMs: number) {
    this.#reads = new LatencyRecorder(slowQueryMs);
    this.#writes = new LatencyRecorder(slowQueryMs);
  }

  query(event: QueryEvent): void {
    if (this.paused) return;
    (event.kind === 'read' ? this.#reads : this.#writes).record(
      event.durationMs,
      event.error !== undefined,
    );
  }

  checkpoint(result: CheckpointResult, at: number): void {
    const outcome: CheckpointOutcome = result.busy ? 'busy' : 'complete';
    this.#tally(result.mode, outcome, 1, result.durationMs);
    if (result.busy) this.#busyCheckpoints++;
    if (this.#events.length < MAX_CHECKPOINT_EVENTS) {
      this.#events.push({
        at,
        mode: result.mode,
        outcome,
        durationMs: result.durationMs,
        logFrames: result.logFrames,
        checkpointedFrames: result.checkpointedFrames,
        walBytesBefore: result.walBytesBefore,
        walBytesAfter: result.walBytesAfter,
      });
    }
  }

  /** Failed checkpoints fire no hook; the sampler finds them in the stats counters. */
  checkpointErrors(mode: CheckpointMode, count: number, at: number): void {
    if (count <= 0) return;
    this.#tally(mode, 'error', count, 0);
    this.#busyCheckpoints += count;
    for (let i = 0; i < count && this.#events.length < MAX_CHECKPOINT_EVENTS; i++) {
      this.#events.push({
        at,
        mode,
        outcome: 'error',
        durationMs: 0,
        logFrames: undefined,
        checkpointedFrames: undefined,
        walBytesBefore: undefined,
        walBytesAfter: undefined,
      });
    }
  }

  /** The interval so far, without ending it. */
  peek(): { reads: LatencySummary; writes: LatencySummary } {
    return { reads: this.#reads.summary(), writes: this.#writes.summary() };
  }

  /** Ends the interval: returns what it recorded and starts the next one empty. */
  take(): IntervalData {
    const data: IntervalData = {
      reads: this.#reads.summary(),
      writes: this.#writes.summary(),
      checkpoints: [...this.#tallies.values()],
      events: this.#events,
      busyCheckpoints: this.#busyCheckpoints,
    };
    this.#reads.reset();
    this.#writes.reset();
    this.#tallies = new Map();
    this.#events = [];
    this.#busyCheckpoints = 0;
    return data;
  }

  #tally(
    mode: CheckpointMode,
    outcome: CheckpointOutcome,
    count: number,
    durationMs: number,
  ): void {
    const key = `${mode}:${outcome}`;
    let tally = this.#tallies.get(key);
    if (tally === undefined) {
      tally = { mode, outcome, count: 0, totalMs: 0, maxMs: 0 };
      this.#tallies.set(key, tally);
    }
    tally.count += count;
    tally.totalMs += durationMs;
    if (durationMs > tally.maxMs) tally.maxMs = durationMs;
  }
}
