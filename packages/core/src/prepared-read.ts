import type { SqliteParams, SqliteRow, SqliteStatement } from './driver.js';
import type { Metrics } from './metrics.js';
import type { QueryEvent } from './plugin.js';
import { closedError } from './read-errors.js';

/** A synchronous read on the main-thread reader connection: the light, hot read path. */
export interface PreparedRead<Row = SqliteRow> {
  get(params?: SqliteParams): Row | undefined;
  all(params?: SqliteParams): Row[];
}

/** State the manager flips and every prepared read checks: plain fields, no calls. */
export interface ReadGate {
  open: boolean;
  /** Some plugin has an `onQuery` hook, so every read is timed and reported. */
  hooked: boolean;
  emit(event: QueryEvent): void;
}

/**
 * Every read is counted; one in 16 is timed, unless something needs every duration: an
 * `onQuery` hook, or an exporter reading the live histograms (`metrics.timeEveryRead`, set by
 * `liveHistogramsOf()`), which promises exact counts, sums, minima and maxima. Two
 * `performance.now()` and a bucket increment cost about 5% of a 2.5 µs point select
 * (apps/bench `overhead`: `ratios.pointQuery` samples, `ratios.pointQueryOtel` times all).
 */
const SAMPLE_MASK = 15;

export function createPreparedRead<Row>(
  statement: SqliteStatement<Row>,
  sql: string,
  metrics: Metrics,
  gate: ReadGate,
): PreparedRead<Row> {
  const succeeded = metrics.operations.readSucceeded(sql);
  /** Wraps one statement method with the gate, the counter and the timing. */
  const observed = <T>(call: (params?: SqliteParams) => T) => {
    let tick = 0;
    return (params?: SqliteParams): T => {
      if (!gate.open) throw closedError();
      metrics.reads++;
      if ((++tick & SAMPLE_MASK) !== 0 && !metrics.timeEveryRead && !gate.hooked) {
        try {
          return call(params);
        } catch (error) {
          metrics.readErrors++;
          throw error;
        }
      }
      const started = performance.now();
      let result: T;
      try {
        result = call(params);
      } catch (error) {
        const durationMs = performance.now() - started;
        metrics.readErrors++;
        metrics.operations.recordFailure('read', sql, durationMs, error);
        if (gate.hooked) gate.emit({ kind: 'read', sql, durationMs, error });
        throw error;
      }
      const durationMs = performance.now() - started;
      succeeded.record(durationMs);
      if (gate.hooked) gate.emit({ kind: 'read', sql, durationMs, error: undefined });
      return result;
    };
  };
  return Object.freeze({
    get: observed((params) => statement.get(params)),
    all: observed((params) => statement.all(params)),
  });
}
