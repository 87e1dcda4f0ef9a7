import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricProducer,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach } from 'vitest';

/** What a test opened, closed after it in reverse order. */
export const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A real SDK reader with walkeeper's producer, exporting to memory only when a test flushes
 * it (the interval is an hour), and its MeterProvider, shut down after the test.
 */
export function memoryPipeline(
  producer: MetricProducer,
  temporality: AggregationTemporality = AggregationTemporality.CUMULATIVE,
) {
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 3_600_000,
    metricProducers: [producer],
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  cleanups.push(() => meterProvider.shutdown());
  return { exporter, reader, meterProvider };
}
