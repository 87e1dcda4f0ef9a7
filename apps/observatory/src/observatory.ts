import type { Walkeeper } from '@walkeeper/core';
import { history } from '@walkeeper/history';
import type { Hono } from 'hono';
import { openDatabase } from './database.js';
import { Ingester, type ScanProgress } from './ingest/ingester.js';
import { type ApiDeps, createApi } from './server/app.js';
import { listen, type RunningServer } from './server/serve.js';

export interface ObservatoryOptions {
  /** The directory of transcripts to ingest and watch. */
  dir: string;
  /** The database file (created when missing). */
  database: string;
  host?: string;
  /** 0 picks a free port. Default 4319. */
  port?: number;
  /** Watch for changes after the first scan. Default true. */
  watch?: boolean;
  readers?: number;
  log?: (message: string) => void;
  onProgress?: (progress: ScanProgress) => void;
  /** `report()` and `alerts()` for their routes. Default: @walkeeper/history's `history()`. */
  insights?: ApiDeps['insights'];
  /**
   * Adds routes to the app before it listens: where the dashboard mounts its page (`/`) and
   * its event stream. They get the same read-only guard and error handling as the API.
   */
  mount?: (app: Hono, parts: { walkeeper: Walkeeper; ingester: Ingester }) => void;
}

export interface Observatory {
  walkeeper: Walkeeper;
  ingester: Ingester;
  app: Hono;
  server: RunningServer;
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
  const walkeeper = await openDatabase(options.database, {
    readers: options.readers ?? 2,
    plugins: monitor ? [monitor] : [],
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
  });
  let server: RunningServer;
  try {
    options.mount?.(app, { walkeeper, ingester });
    server = await listen(app, { host: options.host, port: options.port ?? DEFAULT_PORT });
  } catch (error) {
    await walkeeper.close();
    throw error;
  }
  const scanned = (options.watch ?? true) ? ingester.start() : ingester.scan();
  scanned.catch(() => undefined);
  let closing: Promise<void> | undefined;
  return {
    walkeeper,
    ingester,
    app,
    server,
    scanned,
    close() {
      closing ??= (async () => {
        await server.close();
        await ingester.close();
        await walkeeper.close();
      })();
      return closing;
    },
  };
}
