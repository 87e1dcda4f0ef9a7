export { classifyError, type ErrorClass } from './error-type.js';
export type { HistogramShape } from './internal/histogram-points.js';
export type { OtelMetricProducerOptions } from './metric-producer.js';
export { otelMetricProducer } from './metric-producer.js';
export { readOperationName, WRITE_OPERATION_NAME } from './operation-name.js';
export type { OtelMetricsOptions, OtelMetricsPlugin } from './otel-metrics.js';
export { OTEL_PLUGIN, OTEL_SCOPE_NAME, otelMetrics } from './otel-metrics.js';
export * from './semconv.js';
