import { execFile } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observatory } from '../src/observatory.js';
import { listen } from '../src/server/serve.js';
import { eventually, observeFixture, tempDir } from './helpers.js';

// The whole app over real HTTP on a loopback port, and the command that starts it.

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('the observatory over HTTP', () => {
  const temp = tempDir();
  const file = join(temp.dir, 'projects', 'proj', 'short.jsonl');
  let observatory: Observatory;

  beforeAll(async () => {
    observatory = await observeFixture(temp.dir, 'short.jsonl', {
      mount: (app, { ingester }) => {
        app.get('/extra', (c) => c.json({ files: ingester.status().files }));
      },
    });
  });
  afterAll(async () => {
    await observatory.close();
    temp.cleanup();
  });

  it('listens on 127.0.0.1 by default and answers', async () => {
    expect(observatory.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${observatory.server.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it("serves @walkeeper/history's report and alerts", async () => {
    const report = await fetch(`${observatory.server.url}/api/report?hours=1`);
    expect(report.status).toBe(200);
    expect(await report.json()).toHaveProperty('wal');
    const alerts = await fetch(`${observatory.server.url}/api/alerts`);
    expect(alerts.status).toBe(200);
    expect(await alerts.json()).toHaveProperty('alerts');
  });

  it('serves routes mounted beside the API (where the dashboard goes)', async () => {
    const response = await fetch(`${observatory.server.url}/extra`);
    expect(await response.json()).toEqual({ files: 1 });
    const post = await fetch(`${observatory.server.url}/extra`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('serves a line appended to a watched file', async () => {
    const line = {
      type: 'user',
      uuid: 'x',
      timestamp: '2026-02-10T22:00:00.000Z',
      message: { role: 'user', content: 'appended over http' },
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
    await eventually(
      async () => {
        const response = await fetch(`${observatory.server.url}/api/search?q=appended`);
        const body = (await response.json()) as { results: unknown[] };
        return body.results.length === 1;
      },
      5000,
      'the appended line in search',
    );
  });

  it('refuses a port that is taken', async () => {
    await expect(listen(observatory.app, { port: observatory.server.port })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});

const BUN = fileURLToPath(new URL('../../../node_modules/.bin/bun', import.meta.url));

describe('pnpm start', () => {
  it('builds the demo, ingests it and answers (--smoke)', async () => {
    const temp = tempDir();
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/main.ts',
          '--sessions',
          '3',
          '--port',
          '0',
          '--smoke',
          '--demo-dir',
          temp.dir,
        ],
        { cwd: APP_DIR, timeout: 30_000 },
      );
      expect(stdout).toMatch(/observatory on http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(/first scan done: [\d,]+ messages from \d+ files/);
      expect(stdout).toMatch(/GET \/api\/projects -> 200/);
      expect(stdout).toMatch(/GET \/ -> 200/);
      expect(stdout).toMatch(/GET \/metrics -> 200/);
    } finally {
      temp.cleanup();
    }
  });

  it.skipIf(!existsSync(BUN))('starts under Bun too (start:bun)', async () => {
    const temp = tempDir();
    try {
      const { stdout } = await promisify(execFile)(
        BUN,
        ['src/main.ts', '--sessions', '2', '--port', '0', '--smoke', '--demo-dir', temp.dir],
        { cwd: APP_DIR, timeout: 30_000 },
      );
      expect(stdout).toMatch(/runtime: bun /);
      expect(stdout).toMatch(/GET \/api\/projects -> 200/);
      expect(stdout).toMatch(/GET \/metrics -> 200/);
    } finally {
      temp.cleanup();
    }
  });
});
