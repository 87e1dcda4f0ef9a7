import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { type OtelMetricsPlugin, otelMetricProducer, otelMetrics } from '@walkeeper/otel';

/** The Prometheus text exposition format's content type (what Prometheus asks for first). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface PrometheusMetrics {
  /** `@walkeeper/otel`'s plugin, wired to this exporter's meter provider. */
  plugin: OtelMetricsPlugin;
  /** Collects every instrument now and renders the Prometheus text format. */
  scrape(): Promise<string>;
  shutdown(): Promise<void>;
}

/**
 * walkeeper's OpenTelemetry metrics, exposed for Prometheus on the app's own port: the
 * exporter is a MetricReader that only collects when asked (its own HTTP server is never
 * started), so `/metrics` is one more Hono route, served the same way on Node and Bun.
 */
export function prometheusMetrics(options: { poolName?: string } = {}): PrometheusMetrics {
  // walkeeper's aggregates, read at each scrape: cumulative, in the advised explicit buckets
  // (the Prometheus text format has no exponential histograms).
  const producer = otelMetricProducer();
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [producer],
  });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  // The exporter's own defaults: no prefix, no timestamps (Prometheus stamps the scrape).
  const serializer = new PrometheusSerializer();
  return {
    plugin: otelMetrics({
      producers: [producer],
      ...(options.poolName === undefined ? {} : { poolName: options.poolName }),
    }),
    async scrape() {
      const { resourceMetrics, errors } = await exporter.collect();
      // A callback that failed loses its own points; the rest are still worth serving.
      for (const error of errors) console.warn('metrics collection:', error);
      return serializer.serialize(resourceMetrics);
    },
    shutdown: () => meterProvider.shutdown(),
  };
}
