import type {
  AggregationTemporality,
  AggregationTemporalitySelector,
  MetricProducer,
} from '@opentelemetry/sdk-metrics';
import {
  checkEnum,
  checkKnownKeys,
  checkPlainObject,
  configError,
} from '@walkeeper/core/plugin-kit';
import type { HistogramShape } from './internal/histogram-points.js';
import { WalkeeperMetricProducer } from './internal/producer.js';
import { OTEL_SCOPE_NAME, OTEL_SCOPE_VERSION } from './scope.js';
import { DB_CLIENT_OPERATION_DURATION_BUCKETS } from './semconv.js';

export interface OtelMetricProducerOptions {
  /**
   * The reader's temporality: one for every instrument, or the SDK's per-instrument selector
   * (a push exporter's `selectAggregationTemporality`). Default: cumulative.
   */
  temporality?: AggregationTemporality | AggregationTemporalitySelector;
  /**
   * `explicit` (default): the conventions' advised boundaries, which every backend reads,
   * Prometheus included. `exponential`: scale 3, walkeeper's own buckets one to one.
   */
  histogram?: HistogramShape;
}

const KNOWN = ['temporality', 'histogram'];
const HISTOGRAM_SHAPES: readonly HistogramShape[] = ['explicit', 'exponential'];
const CUMULATIVE = 1 as AggregationTemporality.CUMULATIVE;

/**
 * A `MetricProducer` for one reader's `metricProducers`: when the reader collects, it reads
 * walkeeper's own counters and histograms of every database whose `otelMetrics()` plugin
 * names it. Give each reader its own: a delta one subtracts its own last collection.
 */
export function otelMetricProducer(options: OtelMetricProducerOptions = {}): MetricProducer {
  const input = checkPlainObject('otelMetricProducer options', options);
  checkKnownKeys('otelMetricProducer', input, KNOWN);
  const { temporality = CUMULATIVE, histogram = 'explicit' } = options;
  checkEnum('otelMetricProducer.histogram', histogram, HISTOGRAM_SHAPES);
  if (typeof temporality !== 'function' && temporality !== 0 && temporality !== 1)
    throw configError(
      'otelMetricProducer.temporality',
      temporality,
      'AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA or a selector function',
    );
  return new WalkeeperMetricProducer({
    temporality: typeof temporality === 'function' ? temporality : () => temporality,
    histogram,
    boundaries: DB_CLIENT_OPERATION_DURATION_BUCKETS,
    scope: { name: OTEL_SCOPE_NAME, version: OTEL_SCOPE_VERSION },
  });
}
