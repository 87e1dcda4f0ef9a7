import { type HrTime, ValueType } from '@opentelemetry/api';
import type {
  AggregationTemporality,
  CollectionResult,
  DataPoint,
  InstrumentType,
  MetricData,
  MetricProducer,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  difference,
  explicitPoint,
  exponentialPoint,
  type HistogramReading,
  type HistogramShape,
  readHistogram,
} from './histogram-points.js';
import {
  HISTOGRAM_METRICS,
  type HistogramSeries,
  type MetricSpec,
  type NumberPoint,
  STATS_METRICS,
} from './metric-specs.js';
import { hrNow, type Source } from './source.js';

// The SDK's enum values, spelled out: only their types are imported, so the SDK stays the
// application's (a peer) and this package imports nothing of it at run time.
const DELTA = 0 as AggregationTemporality.DELTA;
const HISTOGRAM_POINTS = 0;
const EXPONENTIAL_HISTOGRAM_POINTS = 1;
const GAUGE_POINTS = 2;
const SUM_POINTS = 3;

export type TemporalitySelector = (instrumentType: InstrumentType) => AggregationTemporality;

export interface ProducerOptions {
  temporality: TemporalitySelector;
  histogram: HistogramShape;
  boundaries: readonly number[];
  scope: { name: string; version: string };
}

/** What a series held at this reader's last collection. */
interface Previous {
  at: HrTime;
  value: number | HistogramReading;
}

/** A resource nobody reads: a reader keeps its MeterProvider's own and drops a producer's. */
const NO_RESOURCE: ResourceMetrics['resource'] = {
  attributes: {},
  merge: (other) => other ?? NO_RESOURCE,
  getRawAttributes: () => [],
};

/** The databases each producer exports, kept off the producer's own surface. */
const sourcesByProducer = new WeakMap<MetricProducer, Set<Source>>();

/** The set a plugin adds its database to, or undefined for a producer not made here. */
export function sourcesOf(producer: unknown): Set<Source> | undefined {
  return typeof producer === 'object' && producer !== null
    ? sourcesByProducer.get(producer as MetricProducer)
    : undefined;
}

/**
 * One reader's view of walkeeper's aggregates: at each collection it reads the live
 * histograms and one `stats()` snapshot of every database whose plugin names it, and turns
 * them into metric data, cumulative since the database was opened or, for a delta reader,
 * the difference from this producer's own last collection (so each reader has its own).
 */
export class WalkeeperMetricProducer implements MetricProducer {
  readonly #sources = new Set<Source>();
  readonly #options: ProducerOptions;
  readonly #previous = new Map<string, Previous>();

  constructor(options: ProducerOptions) {
    this.#options = options;
    sourcesByProducer.set(this, this.#sources);
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrNow();
    const errors: unknown[] = [];
    const points = new Map<MetricSpec, DataPoint<unknown>[]>();
    const seen = new Set<string>();
    for (const source of this.#sources) {
      try {
        this.#collectSource(source, endTime, points, seen);
      } catch (error) {
        // Closed or closing: nothing to read from this one.
        errors.push(error);
      }
    }
    // Series of databases closed since are forgotten, so a reopened one starts afresh.
    for (const key of this.#previous.keys()) if (!seen.has(key)) this.#previous.delete(key);
    const metrics: MetricData[] = [];
    for (const [spec, dataPoints] of points) {
      if (dataPoints.length > 0) metrics.push(this.#metric(spec, dataPoints));
    }
    return {
      resourceMetrics: {
        resource: NO_RESOURCE,
        scopeMetrics: metrics.length === 0 ? [] : [{ scope: this.#options.scope, metrics }],
      },
      errors,
    };
  }

  #collectSource(
    source: Source,
    endTime: HrTime,
    points: Map<MetricSpec, DataPoint<unknown>[]>,
    seen: Set<string>,
  ): void {
    const stats = source.walkeeper.stats();
    for (const spec of STATS_METRICS) {
      const list = pointsOf(points, spec);
      for (const point of spec.read(stats, source)) {
        list.push(this.#number(spec, source, point, endTime, seen));
      }
    }
    for (const spec of HISTOGRAM_METRICS) {
      if (spec.operations && source.operationsByInstrument) continue;
      const list = pointsOf(points, spec);
      for (const series of spec.series(source)) {
        const point = this.#histogram(spec, source, series, endTime, seen);
        if (point !== undefined) list.push(point);
      }
    }
  }

  #number(
    spec: MetricSpec,
    source: Source,
    point: NumberPoint,
    endTime: HrTime,
    seen: Set<string>,
  ): DataPoint<number> {
    const key = seriesKey(spec, source, point.key);
    seen.add(key);
    const previous = this.#previous.get(key);
    this.#previous.set(key, { at: endTime, value: point.value });
    if (this.#temporality(spec) !== DELTA || previous === undefined) {
      return {
        startTime: source.startTime,
        endTime,
        attributes: point.attributes,
        value: point.value,
      };
    }
    // A gauge is a value, not an amount: it is never subtracted.
    const value = spec.kind === 'gauge' ? point.value : point.value - (previous.value as number);
    return { startTime: previous.at, endTime, attributes: point.attributes, value };
  }

  #histogram(
    spec: MetricSpec,
    source: Source,
    series: HistogramSeries,
    endTime: HrTime,
    seen: Set<string>,
  ): DataPoint<unknown> | undefined {
    const key = seriesKey(spec, source, series.key);
    const now = readHistogram(series.histogram);
    if (now.count === 0) return undefined;
    seen.add(key);
    const previous = this.#previous.get(key);
    this.#previous.set(key, { at: endTime, value: now });
    const delta = this.#temporality(spec) === DELTA && previous !== undefined;
    let reading: HistogramReading = now;
    let extremes = { min: true, max: true };
    if (delta) {
      const change = difference(now, previous.value as HistogramReading);
      if (change.count === 0) return undefined;
      reading = change;
      extremes = { min: change.minKnown, max: change.maxKnown };
    }
    const value =
      this.#options.histogram === 'exponential'
        ? exponentialPoint(reading, extremes)
        : explicitPoint(reading, this.#options.boundaries, extremes);
    return {
      startTime: delta ? previous!.at : source.startTime,
      endTime,
      attributes: series.attributes,
      value,
    };
  }

  #temporality(spec: MetricSpec): AggregationTemporality {
    return this.#options.temporality(spec.instrumentType);
  }

  #metric(spec: MetricSpec, dataPoints: DataPoint<unknown>[]): MetricData {
    // `type` as the SDK's own instruments carry it: some exporters and tests read it.
    const descriptor = {
      type: spec.instrumentType,
      name: spec.name,
      description: spec.description,
      unit: spec.unit,
      valueType: spec.kind === 'histogram' ? ValueType.DOUBLE : ValueType.INT,
    };
    const aggregationTemporality = this.#temporality(spec);
    switch (spec.kind) {
      case 'histogram':
        return this.#options.histogram === 'exponential'
          ? ({
              descriptor,
              aggregationTemporality,
              dataPointType: EXPONENTIAL_HISTOGRAM_POINTS,
              dataPoints,
            } as MetricData)
          : ({
              descriptor,
              aggregationTemporality,
              dataPointType: HISTOGRAM_POINTS,
              dataPoints,
            } as MetricData);
      case 'gauge':
        return {
          descriptor,
          aggregationTemporality,
          dataPointType: GAUGE_POINTS,
          dataPoints,
        } as MetricData;
      default:
        return {
          descriptor,
          aggregationTemporality,
          dataPointType: SUM_POINTS,
          dataPoints,
          isMonotonic: spec.kind === 'counter',
        } as MetricData;
    }
  }
}

function pointsOf(
  points: Map<MetricSpec, DataPoint<unknown>[]>,
  spec: MetricSpec,
): DataPoint<unknown>[] {
  let list = points.get(spec);
  if (list === undefined) {
    list = [];
    points.set(spec, list);
  }
  return list;
}

function seriesKey(spec: MetricSpec, source: Source, key: string): string {
  return `${source.id}\u0000${spec.name}\u0000${key}`;
}
