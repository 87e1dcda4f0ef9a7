import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import type { HistogramSnapshot, PoolStats } from '@walkeeper/core';
import {
  DB_CLIENT_OPERATION_DURATION_BUCKETS,
  METRIC_DB_CLIENT_CONNECTION_USE_TIME,
  METRIC_DB_CLIENT_CONNECTION_WAIT_TIME,
} from '../semconv.js';
import type { ReportOnce } from './report-once.js';

/**
 * `db.client.connection.wait_time` and `.use_time`. walkeeper's pool keeps these as in-memory
 * histograms and reports no per-read event, so each flush records the reads since the last one
 * at their mean: the count and the sum are exact, the bucket of each read is its interval's
 * mean. Flushes run every second (and at each collection), which keeps each one short and the
 * means close to the reads they stand for.
 */
export class PoolTimes {
  readonly #wait: Histogram;
  readonly #use: Histogram;
  readonly #attributes: Attributes;
  readonly #failures: ReportOnce;
  #waited = { count: 0, sumMs: 0 };
  #used = { count: 0, sumMs: 0 };

  constructor(meter: Meter, attributes: Attributes, failures: ReportOnce) {
    const advice = { explicitBucketBoundaries: [...DB_CLIENT_OPERATION_DURATION_BUCKETS] };
    this.#wait = meter.createHistogram(METRIC_DB_CLIENT_CONNECTION_WAIT_TIME, {
      description: 'The time it took to obtain an open connection from the pool',
      unit: 's',
      advice,
    });
    this.#use = meter.createHistogram(METRIC_DB_CLIENT_CONNECTION_USE_TIME, {
      description: 'The time between borrowing a connection and returning it to the pool',
      unit: 's',
      advice,
    });
    this.#attributes = attributes;
    this.#failures = failures;
  }

  /** Starts from the pool's current totals, so reads before the plugin are not replayed. */
  start(pool: PoolStats): void {
    this.#waited = totals(pool.waitTimeMs);
    this.#used = totals(pool.useTimeMs);
  }

  flush(pool: PoolStats): void {
    this.#waited = this.#recordSince(this.#wait, this.#waited, pool.waitTimeMs);
    this.#used = this.#recordSince(this.#use, this.#used, pool.useTimeMs);
  }

  #recordSince(
    histogram: Histogram,
    before: { count: number; sumMs: number },
    now: HistogramSnapshot,
  ): { count: number; sumMs: number } {
    const count = now.count - before.count;
    if (count <= 0) return totals(now);
    const meanSeconds = Math.max(0, (now.sumMs - before.sumMs) / count / 1000);
    try {
      for (let i = 0; i < count; i++) histogram.record(meanSeconds, this.#attributes);
    } catch (error) {
      this.#failures.failed('record pool times', error);
    }
    return totals(now);
  }
}

function totals(snapshot: HistogramSnapshot): { count: number; sumMs: number } {
  return { count: snapshot.count, sumMs: snapshot.sumMs };
}
