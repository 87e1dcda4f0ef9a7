import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../src/cli-args.js';
import type { Observatory } from '../src/observatory.js';
import { allowedHosts, hostRefusal } from '../src/server/host-check.js';
import { observeFixture, tempDir } from './helpers.js';

// DNS rebinding: a page on evil.example re-points its name at 127.0.0.1 and reads the
// observatory as same-origin. The browser still sends `Host: evil.example`, so the
// observatory answers only to its own names.

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (fetch would not let a test choose the Host header or the target). */
function get(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        // An event stream never ends: its first event is enough.
        if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      res.on('end', done);
      res.on('close', done);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the observatory answers only to its own host names', () => {
  const temp = tempDir();
  let observatory: Observatory;
  let port: number;

  beforeAll(async () => {
    observatory = await observeFixture(temp.dir, 'short.jsonl', {
      allowHosts: ['observatory.lan'],
    });
    port = observatory.server.port;
  });
  afterAll(async () => {
    await observatory.close();
    temp.cleanup();
  });

  for (const path of ['/api/sessions', '/api/live', '/', '/assets/js/app.js', '/metrics']) {
    it(`refuses ${path} for a foreign Host with a 403 and the reason`, async () => {
      const answer = await get(port, path, { Host: `evil.example.com:${port}` });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({
        error: {
          status: 403,
          message:
            "host 'evil.example.com' is not a name this observatory answers to; start it with --allow-host evil.example.com to allow it",
        },
      });
      expect(answer.body).not.toContain('short');
    });
  }

  it('answers the loopback names, with or without a port, and the allowed name', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'LOCALHOST',
      `[::1]:${port}`,
      `observatory.lan:${port}`,
    ]) {
      const answer = await get(port, '/api/sessions', { Host: host });
      expect(answer.status, host).toBe(200);
      expect(JSON.parse(answer.body).sessions).toHaveLength(1);
    }
  });

  it('serves the event stream to its own names only', async () => {
    const own = await get(port, '/api/live', { Host: `localhost:${port}` });
    expect(own.status).toBe(200);
    expect(own.body).toMatch(/^event: backfill/m);
    const foreign = await get(port, '/api/live', { Host: 'rebind.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toContain('event:');
  });

  it('refuses a foreign name in an absolute request target, whatever the Host says', async () => {
    const answer = await get(port, 'http://evil.example.com/api/sessions', {
      Host: `127.0.0.1:${port}`,
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("host 'evil.example.com'");
  });

  it('refuses names that only look like its own', async () => {
    for (const host of ['localhost.evil.example', '127.0.0.1.nip.io', 'evil-localhost']) {
      const answer = await get(port, '/api/sessions', { Host: host });
      expect(answer.status, host).toBe(403);
    }
  });

  it('grants no cross-origin access', async () => {
    const origin = { Host: `127.0.0.1:${port}`, Origin: 'http://evil.example.com' };
    const simple = await get(port, '/api/sessions', origin);
    expect(simple.status).toBe(200);
    const preflight = await get(
      port,
      '/api/sessions',
      { ...origin, 'Access-Control-Request-Method': 'GET' },
      'OPTIONS',
    );
    expect(preflight.status).toBe(405);
    for (const answer of [simple, preflight]) {
      const cors = Object.keys(answer.headers).filter((name) => name.startsWith('access-control'));
      expect(cors).toEqual([]);
    }
  });
});

describe('allowedHosts and hostRefusal', () => {
  const url = 'http://127.0.0.1:4319/api';

  it('allow the loopback names and the address listened on', () => {
    const names = allowedHosts('192.168.1.20');
    for (const host of ['localhost', '127.0.0.1', '[::1]:4319', '192.168.1.20:4319', 'Localhost.'])
      expect(hostRefusal(host, url, names), host).toBeUndefined();
    expect(hostRefusal('192.168.1.21', url, names)).toMatch(/^host '192\.168\.1\.21' is not/);
  });

  it("allow this machine's addresses when listening on every interface", () => {
    const names = allowedHosts('0.0.0.0', ['box.lan']);
    expect(names.has('127.0.0.1')).toBe(true);
    expect(hostRefusal('box.lan:80', url, names)).toBeUndefined();
    expect(hostRefusal('evil.example', url, names)).toMatch(/--allow-host evil\.example/);
  });

  it('fall back to the URL when there is no Host header', () => {
    const names = allowedHosts(undefined);
    expect(hostRefusal(undefined, url, names)).toBeUndefined();
    expect(hostRefusal(undefined, 'http://evil.example/api', names)).toMatch(/evil\.example/);
  });
});

describe('--allow-host', () => {
  it('is repeatable and checked', () => {
    expect(parseCliArgs(['--allow-host', 'a.lan', '--allow-host', '10.0.0.2']).allowHosts).toEqual([
      'a.lan',
      '10.0.0.2',
    ]);
    expect(() => parseCliArgs(['--allow-host', 'evil.example/x'])).toThrow(UsageError);
    expect(() => parseCliArgs(['--allow-host', ''])).toThrow(
      "--allow-host must be a host name or an address, not ''",
    );
  });
});
