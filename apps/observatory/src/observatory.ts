import type { Walkeeper } from '@walkeeper/core';
import { history, metricsHistory } from '@walkeeper/history';
import type { Hono } from 'hono';
import { LiveFeed } from './dashboard/live-feed.js';
import { mountDashboard } from './dashboard/mount-dashboard.js';
import { type PrometheusMetrics, prometheusMetrics } from './dashboard/prometheus.js';
import { openDatabase } from './database.js';
import { Ingester, type ScanProgress } from './ingest/ingester.js';
import { checkRetention, claudeSettingsPath } from './ingest/retention-check.js';
import { type ApiDeps, createApi } from './server/app.js';
import { allowedHosts } from './server/host-check.js';
import { listen, type RunningServer } from './server/serve.js';

export interface ObservatoryOptions {
  /** The directory of transcripts to ingest and watch. */
  dir: string;
  /** The database file (created when missing). */
  database: string;
  host?: string;
  /**
   * Host names to answer to besides the loopback names and `host` (a reverse proxy's, a
   * machine name): requests carrying any other `Host` get a 403 (DNS rebinding).
   */
  allowHosts?: readonly string[];
  /** 0 picks a free port. Default 4319. */
  port?: number;
  /** Watch for changes after the first scan. Default true. */
  watch?: boolean;
  readers?: number;
  /** Claude Code's settings.json, read for its cleanupPeriodDays. Default: beside the root. */
  claudeSettings?: string;
  log?: (message: string) => void;
  onProgress?: (progress: ScanProgress) => void;
  /** `report()` and `alerts()` for their routes. Default: @walkeeper/history's `history()`. */
  insights?: ApiDeps['insights'];
  /**
   * Adds routes to the app before it listens, after the dashboard's (`/`, `/assets/*`,
   * `/api/live`, `/metrics`). They get the same read-only guard and error handling as the API.
   */
  mount?: (app: Hono, parts: { walkeeper: Walkeeper; ingester: Ingester }) => void;
}

export interface Observatory {
  walkeeper: Walkeeper;
  ingester: Ingester;
  app: Hono;
  server: RunningServer;
  /** The dashboard's one-second clock (its charts' data). */
  feed: LiveFeed;
  /** What `/metrics` serves. */
  metrics: PrometheusMetrics;
  /** Resolves when the first scan has read every file up to its end. */
  scanned: Promise<ScanProgress>;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4319;

/**
 * The whole app: database, ingestion (watcher first, then the scan, so nothing written in
 * between is missed) and the HTTP API, which answers while the first scan is still running.
 */
export async function startObservatory(options: ObservatoryOptions): Promise<Observatory> {
  // walkeeper's metrics over time, for /api/report and /api/alerts (and the dashboard).
  const monitor = options.insights === undefined ? history() : undefined;
  // The dashboard's per-second history: the feed ends each interval itself (see LiveFeed), so
  // the plugin's own timer is set to a day and never fires. A minute of samples backs alerts.
  const perSecond = metricsHistory({ resolutionMs: 86_400_000, capacity: 120 });
  const metrics = prometheusMetrics();
  const walkeeper = await openDatabase(options.database, {
    readers: options.readers ?? 2,
    plugins: [...(monitor ? [monitor] : []), perSecond, metrics.plugin],
  });
  const ingester = new Ingester(walkeeper, {
    root: options.dir,
    ...(options.log ? { log: options.log } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const app = createApi({
    db: walkeeper,
    walkeeper,
    ingest: ingester,
    insights: options.insights ?? monitor,
    allowedHosts: allowedHosts(options.host, options.allowHosts),
    retention: () => checkRetention(options.claudeSettings ?? claudeSettingsPath(options.dir)),
  });
  const feed = new LiveFeed({ history: perSecond, ingest: ingester });
  let server: RunningServer;
  try {
    mountDashboard(app, { feed, metrics });
    options.mount?.(app, { walkeeper, ingester });
    server = await listen(app, { host: options.host, port: options.port ?? DEFAULT_PORT });
  } catch (error) {
    await walkeeper.close();
    await metrics.shutdown();
    throw error;
  }
  feed.start();
  const scanned = (options.watch ?? true) ? ingester.start() : ingester.scan();
  scanned.catch(() => undefined);
  let closing: Promise<void> | undefined;
  return {
    walkeeper,
    ingester,
    app,
    server,
    feed,
    metrics,
    scanned,
    close() {
      closing ??= (async () => {
        feed.stop();
        await server.close();
        await ingester.close();
        await walkeeper.close();
        await metrics.shutdown();
      })();
      return closing;
    },
  };
}
