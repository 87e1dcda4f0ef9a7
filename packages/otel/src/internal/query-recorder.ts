import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import type { QueryEvent } from '@walkeeper/core';
import { classifyError } from '../error-type.js';
import { readOperationName, WRITE_OPERATION_NAME } from '../operation-name.js';
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_ERROR_TYPE,
  DB_CLIENT_OPERATION_DURATION_BUCKETS,
  ERROR_TYPE_VALUE_OTHER,
  METRIC_DB_CLIENT_OPERATION_DURATION,
} from '../semconv.js';
import type { ReportOnce } from './report-once.js';

/** Distinct SQL texts whose attributes are remembered; past it the memo starts over. */
const MAX_REMEMBERED_SQL = 1024;
/** Distinct `error.type` values; past it new ones are reported as `_OTHER`. */
const MAX_ERROR_TYPES = 64;

/**
 * Records `db.client.operation.duration` from the `onQuery` hook. The hot path is a string
 * compare (the same prepared read again) or a Map lookup, and one `record()`: attribute
 * objects are built once per SQL text and operation, never per query.
 */
export class QueryRecorder {
  readonly #histogram: Histogram;
  readonly #common: Attributes;
  readonly #failures: ReportOnce;
  readonly #write: Attributes;
  readonly #byOperation = new Map<string | undefined, Attributes>();
  readonly #bySql = new Map<string, Attributes>();
  readonly #failed = new Map<string, Attributes>();
  readonly #errorTypes = new Set<string>();
  #lastSql: string | undefined;
  #lastAttributes: Attributes;

  constructor(meter: Meter, common: Attributes, failures: ReportOnce) {
    this.#histogram = meter.createHistogram(METRIC_DB_CLIENT_OPERATION_DURATION, {
      description: 'Duration of database client operations.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DB_CLIENT_OPERATION_DURATION_BUCKETS] },
    });
    this.#common = common;
    this.#failures = failures;
    this.#write = this.#operation(WRITE_OPERATION_NAME);
    this.#lastAttributes = this.#write;
  }

  record(event: QueryEvent): void {
    try {
      const attributes =
        event.error === undefined ? this.#success(event) : this.#failure(event, event.error);
      this.#histogram.record(event.durationMs / 1000, attributes);
    } catch (error) {
      this.#failures.failed('record db.client.operation.duration', error);
    }
  }

  #success(event: QueryEvent): Attributes {
    const sql = event.sql;
    if (event.kind === 'write' || sql === undefined) return this.#write;
    if (sql === this.#lastSql) return this.#lastAttributes;
    let attributes = this.#bySql.get(sql);
    if (attributes === undefined) {
      if (this.#bySql.size >= MAX_REMEMBERED_SQL) this.#bySql.clear();
      attributes = this.#operation(readOperationName(sql));
      this.#bySql.set(sql, attributes);
    }
    this.#lastSql = sql;
    this.#lastAttributes = attributes;
    return attributes;
  }

  #failure(event: QueryEvent, error: unknown): Attributes {
    const operation =
      event.kind === 'write' || event.sql === undefined
        ? WRITE_OPERATION_NAME
        : readOperationName(event.sql);
    const failure = classifyError(error);
    let type = failure.type;
    if (!this.#errorTypes.has(type)) {
      if (this.#errorTypes.size >= MAX_ERROR_TYPES) type = ERROR_TYPE_VALUE_OTHER;
      else this.#errorTypes.add(type);
    }
    const key = `${operation ?? ''}\u0000${type}\u0000${failure.statusCode ?? ''}`;
    let attributes = this.#failed.get(key);
    if (attributes === undefined) {
      attributes = { ...this.#operation(operation), [ATTR_ERROR_TYPE]: type };
      if (failure.statusCode !== undefined)
        attributes[ATTR_DB_RESPONSE_STATUS_CODE] = failure.statusCode;
      this.#failed.set(key, attributes);
    }
    return attributes;
  }

  #operation(name: string | undefined): Attributes {
    let attributes = this.#byOperation.get(name);
    if (attributes === undefined) {
      attributes =
        name === undefined
          ? { ...this.#common }
          : { ...this.#common, [ATTR_DB_OPERATION_NAME]: name };
      this.#byOperation.set(name, attributes);
    }
    return attributes;
  }
}
