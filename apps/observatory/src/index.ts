export type { Asset } from './dashboard/assets.js';
export { loadAssets, PUBLIC_DIR } from './dashboard/assets.js';
export type { Latency, LiveFeedOptions, LiveTick } from './dashboard/live-feed.js';
export { LiveFeed } from './dashboard/live-feed.js';
export type { DashboardParts } from './dashboard/mount-dashboard.js';
export { MAX_LIVE_STREAMS, mountDashboard } from './dashboard/mount-dashboard.js';
export type { PrometheusMetrics } from './dashboard/prometheus.js';
export { PROMETHEUS_CONTENT_TYPE, prometheusMetrics } from './dashboard/prometheus.js';
export { MIGRATIONS_DIR, openDatabase } from './database.js';
export { buildDemoDir, FIXTURES_DIR, writeGeneratedSessions } from './demo/demo-dir.js';
export { isBun, runtimeDriver } from './driver.js';
export type { Entry, ToolResult, ToolUse, Usage } from './ingest/entry.js';
export { toEntry } from './ingest/entry.js';
export type {
  FileOutcome,
  IngestEvent,
  IngesterOptions,
  IngestStatus,
  ScanProgress,
} from './ingest/ingester.js';
export { Ingester, listTranscripts } from './ingest/ingester.js';
export type { TranscriptLocation } from './ingest/layout.js';
export { locateTranscript } from './ingest/layout.js';
export type { Observatory, ObservatoryOptions } from './observatory.js';
export { DEFAULT_PORT, startObservatory } from './observatory.js';
export type { ApiDeps, Reader } from './server/app.js';
export { createApi, PAGE_LIMITS } from './server/app.js';
export { QUERIES, QUERY_SAMPLES } from './server/queries.js';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './server/security-headers.js';
export type { ListenOptions, RunningServer } from './server/serve.js';
export { listen } from './server/serve.js';
export type { CostMode } from './usage/cost-modes.js';
export { COST_MODES } from './usage/cost-modes.js';
export type { PriceTable } from './usage/pricing.js';
export { PRICES } from './usage/pricing.js';
export type { ReportKind, ReportOptions, UsageReport } from './usage/reports.js';
export { REPORT_KINDS, usageReport } from './usage/reports.js';
