import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { HttpError, QueryParams } from '../server/params.js';
import { loadAssets } from './assets.js';
import type { LiveFeed } from './live-feed.js';
import { PROMETHEUS_CONTENT_TYPE, type PrometheusMetrics } from './prometheus.js';

export interface DashboardParts {
  feed: LiveFeed;
  metrics: PrometheusMetrics;
}

/** Open event streams at once; past this a dashboard gets a 503 and its EventSource retries. */
export const MAX_LIVE_STREAMS = 64;

/**
 * The dashboard on the API's app: its page at `/`, its files under `/assets/`, its event
 * stream at `/api/live` and Prometheus' `/metrics`. Mounted after the API, so every route
 * has the API's read-only guard, security headers and JSON errors.
 */
export function mountDashboard(app: Hono, { feed, metrics }: DashboardParts): void {
  const assets = loadAssets();
  const page = assets.get('/assets/index.html')!;

  app.get('/', (c) => {
    new QueryParams(c.req.url, []);
    // The page is small and changes with the app: always revalidated, never stale.
    c.header('Cache-Control', 'no-cache');
    return c.body(page.body, 200, { 'Content-Type': page.type });
  });

  app.get('/assets/*', (c) => {
    const asset = assets.get(c.req.path);
    if (asset === undefined) throw new HttpError(404, `no asset ${c.req.path}`);
    c.header('Cache-Control', 'no-cache');
    return c.body(asset.body, 200, { 'Content-Type': asset.type });
  });

  // One event a second per client: `backfill` (the last minutes, so charts start full) once,
  // then `tick`. EventSource reconnects by itself after a network blip or a restart.
  app.get('/api/live', (c) => {
    new QueryParams(c.req.url, []);
    if (feed.subscribers >= MAX_LIVE_STREAMS) {
      c.header('Retry-After', '5');
      throw new HttpError(503, `too many live streams (${MAX_LIVE_STREAMS}); try again`);
    }
    return streamSSE(c, async (stream) => {
      let writing = stream.writeSSE({
        event: 'backfill',
        data: JSON.stringify(feed.recent()),
        retry: 2000,
      });
      const unsubscribe = feed.subscribe((tick) => {
        // Writes are chained so ticks arrive in order even when a slow client lags.
        writing = writing
          .then(() => stream.writeSSE({ event: 'tick', data: JSON.stringify(tick) }))
          .catch(() => undefined);
      });
      await new Promise<void>((resolve) => {
        stream.onAbort(resolve);
        if (feed.signal.aborted) resolve();
        else feed.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      unsubscribe();
    });
  });

  app.get('/metrics', async (c) => {
    // Prometheus sends its own Accept header and no parameters; anything else is a mistake.
    new QueryParams(c.req.url, []);
    return c.body(await metrics.scrape(), 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE });
  });
}
