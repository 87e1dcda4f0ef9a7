import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAssets } from '../src/dashboard/assets.js';
import { LiveFeed, type LiveTick } from '../src/dashboard/live-feed.js';
import type { Observatory } from '../src/observatory.js';
import { CONTENT_SECURITY_POLICY } from '../src/server/security-headers.js';
import { eventually, observeFixture, tempDir } from './helpers.js';

// The dashboard's server side over real HTTP: the page and its files, the headers that keep
// transcript text inert, the live event stream and /metrics. The browser tests drive the page.

describe('the dashboard over HTTP', () => {
  const temp = tempDir();
  const database = join(temp.dir, 'observatory.db');
  let observatory: Observatory;
  let url: string;

  beforeAll(async () => {
    observatory = await observeFixture(temp.dir, 'tool_heavy.jsonl');
    url = observatory.server.url;
  });
  afterAll(async () => {
    await observatory.close();
    temp.cleanup();
  });

  it('serves the page at / with a strict Content-Security-Policy and nosniff', async () => {
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await response.text();
    // No inline script or style for the policy to have to allow.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
  });

  it('serves every file the page references, with its type, and nothing else', async () => {
    const html = await (await fetch(`${url}/`)).text();
    const referenced = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(referenced).toEqual(
      expect.arrayContaining([
        '/assets/vendor/uPlot.iife.min.js',
        '/assets/vendor/uPlot.min.css',
        '/assets/style.css',
        '/assets/js/app.js',
      ]),
    );
    for (const path of [...loadAssets().keys()]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      const type = response.headers.get('content-type') ?? '';
      if (path.endsWith('.js')) expect(type, path).toMatch(/^text\/javascript/);
      if (path.endsWith('.css')) expect(type, path).toMatch(/^text\/css/);
    }
    for (const path of [
      '/assets/nothing.js',
      '/assets/../package.json',
      '/assets/%2e%2e/package.json',
      '/assets/js/types.d.ts',
      '/assets/tsconfig.json',
    ]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
    }
  });

  it('is read-only and strict about parameters, like the API', async () => {
    expect((await fetch(`${url}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${url}/metrics`, { method: 'DELETE' })).status).toBe(405);
    const bad = await fetch(`${url}/api/live?x=1`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/'x'/);
    expect((await fetch(`${url}/metrics?name=1`)).status).toBe(400);
  });

  it('streams a backfill, then one tick per second, over Server-Sent Events', async () => {
    // One write transaction (empty: the API's data stays as ingested) and one checkpoint.
    observatory.walkeeper.write(() => undefined);
    await observatory.walkeeper.checkpoint('PASSIVE');
    const controller = new AbortController();
    const response = await fetch(`${url}/api/live`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = readEvents(response.body!);
    const first = await events.next();
    expect(first.value?.event).toBe('backfill');
    expect(Array.isArray(JSON.parse(first.value!.data))).toBe(true);
    // The next tick is at most a second away; it carries the checkpoint and the write above.
    const second = await events.next();
    expect(second.value?.event).toBe('tick');
    const tick = JSON.parse(second.value!.data) as LiveTick;
    // At least the one above: the strategy's own PASSIVEs (and the residual the committing
    // writer copies after ingest) may land in the same second.
    const passive = tick.checkpoints.find((c) => c.mode === 'PASSIVE' && c.outcome === 'complete');
    expect(passive?.count).toBeGreaterThanOrEqual(1);
    expect(tick.writes.count).toBeGreaterThanOrEqual(1);
    expect(tick.wal.capBytes).toBeGreaterThan(0);
    expect(tick.pool.size).toBe(1);
    expect(tick.ingest.state).toBe('watching');
    expect(tick.ingest.messages).toBeGreaterThan(0);
    expect(tick.health.status).toBe('ok');
    expect(Array.isArray(tick.alerts)).toBe(true);
    // Closing the reader cancels the body; the server's stream ends on its abort.
    await events.return(undefined);
    controller.abort();
    await eventually(() => observatory.feed.subscribers === 0, 5000, 'the stream to unsubscribe');
  });

  it('serves /metrics in the Prometheus text format from @walkeeper/otel', async () => {
    await fetch(`${url}/api/projects`);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    const namespace = `db_namespace="${database}"`;
    expect(text).toContain('# TYPE sqlite_wal_size gauge');
    expect(text).toMatch(
      new RegExp(`^sqlite_wal_size\\{[^}]*${escapeRegExp(namespace)}[^}]*\\} \\d+$`, 'm'),
    );
    expect(text).toContain('# TYPE db_client_operation_duration histogram');
    expect(text).toMatch(
      /^db_client_operation_duration_count\{[^}]*db_operation_name="SELECT"[^}]*\} [1-9]\d*$/m,
    );
    expect(text).toMatch(/^sqlite_checkpoint_count_total\{/m);
    expect(text).toMatch(/^db_client_connection_max\{[^}]*\} 1$/m);
  });
});

describe('LiveFeed', () => {
  const ingest = {
    status: () =>
      ({
        state: 'watching',
        messages: 0,
        messagesPerSecond: 0,
        files: 0,
        malformed: 0,
      }) as unknown as ReturnType<Observatory['ingester']['status']>,
  };
  let seconds = 0;
  const history = {
    sample: () => ({
      at: ++seconds * 1000,
      intervalMs: 1000,
      wal: { bytes: 1, frames: 1, backfilledFrames: 0, capBytes: 2 },
      databaseBytes: 4096,
      reads: latency(),
      writes: latency(),
      checkpoints: [],
      busyStreak: 0,
      busy: { checkpoints: 0, writeRetries: 0 },
      pool: { size: 2, used: 0, pending: 0, maxQueue: 10, waitP95Ms: 0, timeouts: 0, crashes: 0 },
      health: { status: 'ok' as const, reasons: [] },
    }),
    alerts: () => [],
  };

  it('keeps the last ticks, tells every subscriber, and survives one that throws', () => {
    const feed = new LiveFeed({ history, ingest, keep: 3 });
    const heard: number[] = [];
    feed.subscribe(() => {
      throw new Error('a broken stream');
    });
    const unsubscribe = feed.subscribe((tick) => heard.push(tick.at));
    for (let i = 0; i < 5; i++) feed.tick();
    expect(feed.recent().map((t) => t.at)).toEqual(heard.slice(-3));
    expect(heard).toHaveLength(5);
    unsubscribe();
    feed.tick();
    expect(heard).toHaveLength(5);
    expect(feed.subscribers).toBe(1);
  });

  it('ends every stream when it stops', () => {
    const feed = new LiveFeed({ history, ingest });
    feed.start();
    expect(feed.signal.aborted).toBe(false);
    feed.stop();
    expect(feed.signal.aborted).toBe(true);
    expect(feed.subscribers).toBe(0);
  });
});

function latency() {
  return {
    count: 0,
    errors: 0,
    slow: 0,
    p50Ms: 0,
    p95Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    buckets: new Uint32Array(0),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Server-Sent Events from a response body: `event` and `data` of each message. */
async function* readEvents(body: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
      end = buffer.indexOf('\n\n');
    }
  }
}
