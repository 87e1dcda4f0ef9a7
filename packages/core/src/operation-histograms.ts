import { Histogram } from './histogram.js';
import { readOperationName } from './operation-name.js';

/** A read (`read()`, `prepareRead()`) or a top-level write transaction (`write()`). */
export type OperationKind = 'read' | 'write';

/** The latencies of one kind of operation that ended one way. */
export interface OperationSeries {
  readonly kind: OperationKind;
  /** A read's operation (`readOperationName()`); undefined for writes and unnamed reads. */
  readonly operation: string | undefined;
  /**
   * How the operations failed: SQLite's extended result code (`sqliteCode`), else the error's
   * `code`, else its class name; undefined for successes, and for failures past
   * `MAX_FAILURE_TYPES` distinct names or with nothing to name them by.
   */
  readonly failure: string | undefined;
  readonly failed: boolean;
  readonly histogram: Histogram;
}

/** Distinct failure names kept apart; later ones share the unnamed failure series. */
export const MAX_FAILURE_TYPES = 64;
/** Distinct SQL texts whose series is remembered; past it the memo starts over. */
const MAX_REMEMBERED_SQL = 1024;

/** How a failure is named: SQLite's extended result code first, as OpenTelemetry's `error.type`. */
export function failureName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, sqliteCode, name } = error as {
    code?: unknown;
    sqliteCode?: unknown;
    name?: unknown;
  };
  if (typeof sqliteCode === 'string' && sqliteCode.length > 0) return sqliteCode;
  if (typeof code === 'string' && code.length > 0) return code;
  if (typeof name === 'string' && name.length > 0) return name;
  return undefined;
}

/**
 * Operation latency by kind, read operation and failure: the attribute sets an exporter needs,
 * kept by walkeeper itself so every operation is timed once and bucketed once. A prepared read
 * holds its series; a pooled read finds it by SQL text in a memo. Series only ever grow (at
 * most 2 × 6 × 65), so an exporter can keep a reference and read it at each collection.
 */
export class OperationHistograms {
  readonly #series: OperationSeries[] = [];
  readonly #byKey = new Map<string, OperationSeries>();
  readonly #readBySql = new Map<string, Histogram>();
  readonly #failures = new Set<string>();

  /** Every series so far, in creation order. */
  get all(): readonly OperationSeries[] {
    return this.#series;
  }

  /** The histogram of successful operations of this kind and operation. */
  succeeded(kind: OperationKind, operation: string | undefined): Histogram {
    return this.#get(kind, operation, false, undefined).histogram;
  }

  /** The histogram of successful reads of this SQL text. */
  readSucceeded(sql: string): Histogram {
    let histogram = this.#readBySql.get(sql);
    if (histogram === undefined) {
      if (this.#readBySql.size >= MAX_REMEMBERED_SQL) this.#readBySql.clear();
      histogram = this.succeeded('read', readOperationName(sql));
      this.#readBySql.set(sql, histogram);
    }
    return histogram;
  }

  /** Records a failed operation; a read's SQL gives its operation. */
  recordFailure(
    kind: OperationKind,
    sql: string | undefined,
    durationMs: number,
    error: unknown,
  ): void {
    const operation = kind === 'read' && sql !== undefined ? readOperationName(sql) : undefined;
    let failure = failureName(error);
    if (failure !== undefined && !this.#failures.has(failure)) {
      if (this.#failures.size >= MAX_FAILURE_TYPES) failure = undefined;
      else this.#failures.add(failure);
    }
    this.#get(kind, operation, true, failure).histogram.record(durationMs);
  }

  /** Every series of one kind merged: what `stats()` reports as that kind's latency. */
  merged(kind: OperationKind): Histogram {
    const merged = new Histogram();
    for (const series of this.#series) if (series.kind === kind) merged.add(series.histogram);
    return merged;
  }

  #get(
    kind: OperationKind,
    operation: string | undefined,
    failed: boolean,
    failure: string | undefined,
  ): OperationSeries {
    const key = `${kind}\u0000${operation ?? ''}\u0000${failed ? 1 : 0}\u0000${failure ?? ''}`;
    let series = this.#byKey.get(key);
    if (series === undefined) {
      series = Object.freeze({ kind, operation, failure, failed, histogram: new Histogram() });
      this.#byKey.set(key, series);
      this.#series.push(series);
    }
    return series;
  }
}
