export type {
  Alert,
  AlertCode,
  AlertOptions,
  AlertSeverity,
  AlertState,
  AlertThresholds,
} from './alerts.js';
export { ADVICE, evaluateAlerts } from './alerts.js';
export type { HistoryOptions, HistoryPlugin } from './history.js';
export { HISTORY_PLUGIN, history } from './history.js';
export type { CheckpointEvent } from './interval.js';
export type { LatencySummary } from './latency.js';
export { mergeLatency } from './latency.js';
export type { MetricsHistoryOptions, MetricsHistoryPlugin } from './metrics-history.js';
export { METRICS_HISTORY_PLUGIN, metricsHistory } from './metrics-history.js';
export type { MonitoringSchemaOptions } from './monitoring-schema.js';
export {
  MONITORING_TABLE,
  monitoringMigrations,
  monitoringSchema,
  SAMPLE_TABLES,
} from './monitoring-schema.js';
export type { PersistStats } from './persist.js';
export type {
  CheckpointSummary,
  HistoryReport,
  LatencyReport,
  ReportOptions,
  StarvationEpisode,
} from './report.js';
export { buildReport } from './report.js';
export type { CheckpointTally, HistorySample } from './sample.js';
