import { join } from 'node:path';
import { WalkeeperError } from '@walkeeper/core';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiDeps, createApi, PAGE_LIMITS, type Reader } from '../src/server/app.js';
import { QUERIES } from '../src/server/queries.js';
import { countIndependently, FIXTURES, openTestDb, type TestDb, tempDir } from './helpers.js';

// Every route, on the fixtures, through the real read pool; every bad parameter gets a 400
// with a reason. The reader records the SQL it runs: only catalog queries, each of them used.

const LONG = '8463c716-a2ea-4c14-9efa-87158ebd9f20';
const executed = new Set<string>();

interface Json {
  [key: string]: unknown;
}

describe('the HTTP API', () => {
  const temp = tempDir();
  let db: TestDb;
  let app: Hono;

  async function get(path: string, expectStatus = 200): Promise<Json> {
    const response = await app.request(path);
    const body = (await response.json()) as Json;
    expect(response.status, `${path}: ${JSON.stringify(body)}`).toBe(expectStatus);
    expect(response.headers.get('content-type')).toContain('application/json');
    return body;
  }

  async function bad(path: string, reason: RegExp, status = 400): Promise<void> {
    const body = await get(path, status);
    expect((body.error as Json).message).toMatch(reason);
  }

  beforeAll(async () => {
    db = await openTestDb(temp.dir, FIXTURES);
    await db.ingester.scan();
    const recorder: Reader = {
      read<Row>(sql: string, params?: readonly unknown[]) {
        executed.add(sql);
        return db.wk.read<Row>(sql, params);
      },
    };
    app = createApi({ db: recorder, walkeeper: db.wk, ingest: db.ingester });
  });
  afterAll(async () => {
    await db.close();
    temp.cleanup();
  });

  it('lists its routes', async () => {
    const body = await get('/api');
    expect(body.routes).toContain('GET /api/projects?limit');
  });

  describe('/api/projects', () => {
    it('lists projects with their counters and the totals', async () => {
      const body = await get('/api/projects');
      const projects = body.projects as Json[];
      expect(projects).toHaveLength(1);
      expect(projects[0]).toMatchObject({
        id: 1,
        dir: 'claude-code',
        sessions: 4,
        subagents: 2,
        messages: 1881,
      });
      expect(body.totals).toEqual({ projects: 1, sessions: 4, subagents: 2, messages: 1881 });
    });

    it('refuses bad parameters', async () => {
      await bad('/api/projects?limit=0', /'limit' must be an integer from 1 to 500/);
      await bad('/api/projects?limit=501', /from 1 to 500/);
      await bad('/api/projects?limit=abc', /not 'abc'/);
      await bad('/api/projects?limit=1.5', /integer/);
      await bad('/api/projects?limit=1&limit=2', /given twice/);
      await bad('/api/projects?sort=name', /unknown parameter 'sort'; allowed: limit/);
    });
  });

  describe('/api/sessions', () => {
    it('pages through main sessions, newest first, each exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const body: Json = await get(`/api/sessions?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...(body.sessions as Json[]).map((s) => s.id as string));
        cursor = body.nextCursor as string | null;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual([LONG, 'tool_heavy', 'subagent', 'short']);
    });

    it('includes subagents on request, and filters by project', async () => {
      const all = await get('/api/sessions?subagents=true&project=1');
      expect((all.sessions as Json[]).map((s) => s.id)).toHaveLength(6);
      expect(all.nextCursor).toBeNull();
      const first = (all.sessions as Json[]).find((s) => s.id === 'short');
      expect(first).toMatchObject({ title: 'mix phx.server doesnt seem to start', messages: 15 });
    });

    it('refuses bad parameters', async () => {
      await bad('/api/sessions?project=0', /'project' must be an integer/);
      await bad('/api/sessions?project=99', /no project 99/, 404);
      await bad('/api/sessions?limit=201', /from 1 to 200/);
      await bad('/api/sessions?cursor=nonsense', /'cursor' is not a cursor/);
      await bad(`/api/sessions?cursor=${Buffer.from('["a"]').toString('base64url')}`, /cursor/);
      await bad('/api/sessions?subagents=yes', /'subagents' must be true, false, 1 or 0/);
      await bad('/api/sessions?q=x', /unknown parameter 'q'/);
    });
  });

  describe('/api/sessions/:id', () => {
    it('gives a session with its subagents, files and tokens by model', async () => {
      const body = await get(`/api/sessions/${LONG}`);
      expect(body.session).toMatchObject({ id: LONG, parent: null, projectDir: 'claude-code' });
      expect(body.subagents).toEqual([
        expect.objectContaining({ id: `${LONG}:agent-acompact-f46190`, toolUseId: null }),
        expect.objectContaining({
          id: `${LONG}:agent-a7be2f0`,
          agentId: 'a7be2f0',
          toolUseId: 'toolu_017SvvKc8KLbhGMG3tXkf21Z',
        }),
      ]);
      expect((body.files as Json[])[0]).toMatchObject({ lines: 1593, malformed: 0 });
      expect((body.tokensByModel as Json[]).map((t) => t.model)).toEqual(['claude-opus-4-6']);
    });

    it("gives a subagent its parent and the parent's Task call", async () => {
      const body = await get(`/api/sessions/${LONG}:agent-a7be2f0`);
      expect((body.session as Json).parent).toEqual({
        id: LONG,
        toolUseId: 'toolu_017SvvKc8KLbhGMG3tXkf21Z',
      });
    });

    it('answers 404 for an unknown session and 400 for a bad id or parameter', async () => {
      await bad('/api/sessions/nope', /no session 'nope'/, 404);
      await bad(`/api/sessions/${'x'.repeat(301)}`, /1 to 300 characters/);
      await bad('/api/sessions/a%00b', /control characters/);
      await bad('/api/sessions/short?full=1', /unknown parameter 'full'/);
    });
  });

  describe('/api/sessions/:id/messages', () => {
    it('pages through every line in file order', async () => {
      const expected = countIndependently(join(FIXTURES, 'subagent.jsonl'));
      const lines: number[] = [];
      let after = 0;
      for (let page = 0; page < 10; page++) {
        const body = await get(`/api/sessions/subagent/messages?limit=40&after=${after}`);
        const messages = body.messages as Json[];
        lines.push(...messages.map((m) => m.line as number));
        if (body.nextAfter === null) break;
        after = body.nextAfter as number;
      }
      expect(lines).toHaveLength(expected.objects);
      expect(lines).toEqual([...lines].sort((a, b) => a - b));
    });

    it('returns each line as written, or only the extracted fields', async () => {
      const withRaw = await get('/api/sessions/short/messages?limit=5');
      const first = (withRaw.messages as Json[])[0]!;
      expect(first).toMatchObject({ line: 1, type: 'file-history-snapshot' });
      expect(first.entry).toMatchObject({ type: 'file-history-snapshot', isSnapshotUpdate: false });
      const lean = await get('/api/sessions/short/messages?limit=5&raw=false');
      expect((lean.messages as Json[])[0]).not.toHaveProperty('entry');
    });

    it('filters by type', async () => {
      const body = await get('/api/sessions/short/messages?types=user,system&raw=0');
      const types = new Set((body.messages as Json[]).map((m) => m.type));
      expect(types).toEqual(new Set(['user', 'system']));
      expect(body.messages).toHaveLength(6);
      const withRaw = await get('/api/sessions/short/messages?types=user');
      expect(withRaw.messages).toHaveLength(4);
    });

    it('refuses bad parameters', async () => {
      await bad('/api/sessions/short/messages?limit=501', /from 1 to 500/);
      await bad('/api/sessions/short/messages?after=-1', /'after' must be an integer/);
      await bad('/api/sessions/short/messages?types=user,<script>', /invalid item/);
      await bad('/api/sessions/short/messages?types=', /invalid item/);
      await bad(`/api/sessions/short/messages?types=${'a,'.repeat(21)}a`, /more than 20/);
      await bad('/api/sessions/short/messages?raw=maybe', /'raw' must be/);
      await bad('/api/sessions/missing/messages', /no session/, 404);
    });
  });

  describe('/api/tools', () => {
    it('sums tool calls from the rollup, by project, or for one session', async () => {
      const all = await get('/api/tools');
      const tools = all.tools as Json[];
      const bash = tools.find((t) => t.name === 'Bash')!;
      expect(bash.calls).toBeGreaterThan(0);
      expect(bash.errors).toBeLessThanOrEqual(bash.results as number);
      const total = tools.reduce((sum, t) => sum + (t.calls as number), 0);
      expect(total).toBe(177 + 2 + 16 + 6 + 19);
      expect(await get('/api/tools?project=1')).toEqual(all);
      const session = await get('/api/tools?session=short');
      expect((session.tools as Json[]).reduce((s, t) => s + (t.calls as number), 0)).toBe(2);
      const none = await get('/api/tools?from=2030-01-01');
      expect(none.tools).toEqual([]);
    });

    it('refuses bad parameters', async () => {
      await bad('/api/tools?from=2026-02-30', /'from' must be a day/);
      await bad('/api/tools?to=yesterday', /'to' must be a day/);
      await bad('/api/tools?from=2026-03-01&to=2026-02-01', /'from' is after 'to'/);
      await bad('/api/tools?project=1&session=short', /not both/);
      await bad('/api/tools?session=nope', /no session/, 404);
      await bad('/api/tools?name=Bash', /unknown parameter 'name'/);
    });
  });

  describe('/api/usage', () => {
    it('gives tokens by day and model, globally, by project and by session', async () => {
      const all = await get('/api/usage');
      const rows = all.usage as Json[];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]).toEqual(
        expect.objectContaining({
          day: expect.stringMatching(/^2026-02-\d\d$/),
          model: expect.any(String),
        }),
      );
      expect(await get('/api/usage?project=1&from=2026-01-01&to=2026-12-31')).toEqual(all);
      const short = await get('/api/usage?session=short');
      expect(short.usage).toEqual([
        {
          day: '2026-02-10',
          model: 'claude-opus-4-6',
          messages: 1,
          inputTokens: 3,
          outputTokens: 13,
          cacheCreationTokens: 13835,
          cacheReadTokens: 11515,
        },
      ]);
    });

    it('refuses bad parameters', async () => {
      await bad('/api/usage?from=2026-2-1', /YYYY-MM-DD/);
      await bad('/api/usage?project=x', /'project' must be an integer/);
      await bad('/api/usage?session=', /'session' must be 1 to 300/);
    });
  });

  describe('/api/usage/:kind', () => {
    // Values are checked in usage-api.test.ts and against ccusage; here each report runs once.
    it('answers every report, whole and for one project (by id or directory name)', async () => {
      for (const kind of ['daily', 'weekly', 'monthly', 'session', 'project', 'blocks']) {
        const body = await get(`/api/usage/${kind}?timezone=UTC`);
        expect(body.totals).toMatchObject({ totalTokens: expect.any(Number) });
        if (kind !== 'project') await get(`/api/usage/${kind}?project=1&mode=calculate`);
      }
      expect(await get('/api/usage/daily?project=claude-code&timezone=UTC')).toEqual(
        await get('/api/usage/daily?project=1&timezone=UTC'),
      );
      await bad('/api/usage/hourly', /no usage report 'hourly'/, 404);
      await bad('/api/usage/daily?timezone=Mars/Base', /IANA time zone/);
      await bad('/api/usage/daily?mode=guess', /'mode' must be one of auto, calculate, display/);
      await bad('/api/usage/daily?since=2026-03-01&until=2026-02-01', /'since' is after/);
      await bad('/api/usage/daily?project=nope', /no project 'nope'/, 404);
      await bad('/api/usage/project?project=1', /takes no 'project'/);
    });
  });

  describe('/api/search', () => {
    it('finds messages and marks the matches in segments', async () => {
      const body = await get('/api/search?q=phx.server');
      const results = body.results as Json[];
      expect(results.length).toBeGreaterThan(0);
      expect(results[0]).toMatchObject({ session: expect.any(String), line: expect.any(Number) });
      const segments = results[0]!.snippet as { text: string; match: boolean }[];
      expect(segments.some((s) => s.match && /phx|server/i.test(s.text))).toBe(true);
      const joined = segments.map((s) => s.text).join('');
      expect(joined.includes('\u0002') || joined.includes('\u0003')).toBe(false);
    });

    it('pages with limit and offset, and narrows by project or session', async () => {
      const page1 = await get('/api/search?q=test&limit=2');
      expect(page1.results).toHaveLength(2);
      expect(page1.nextOffset).toBe(2);
      const page2 = await get('/api/search?q=test&limit=2&offset=2');
      expect(page2.results).not.toEqual(page1.results);
      const inSession = await get('/api/search?q=phoenix&session=tool_heavy');
      expect((inSession.results as Json[]).every((r) => r.session === 'tool_heavy')).toBe(true);
      expect((await get('/api/search?q=phoenix&project=1')).results).not.toEqual([]);
    });

    it('treats FTS5 syntax in the words as words, never as an error', async () => {
      for (const q of [
        '"unbalanced',
        'a AND OR NOT',
        'NEAR(x y)',
        'col:thing',
        '*',
        '^',
        '-x',
        'pre*',
      ]) {
        const response = await app.request(`/api/search?q=${encodeURIComponent(q)}`);
        expect([200, 400], q).toContain(response.status);
      }
      const prefix = await get('/api/search?q=phoeni*');
      expect(prefix.results).not.toEqual([]);
    });

    it('refuses bad parameters', async () => {
      await bad('/api/search', /'q' is required/);
      await bad('/api/search?q=', /'q' must be 1 to 200/);
      await bad(`/api/search?q=${'a'.repeat(201)}`, /1 to 200/);
      await bad('/api/search?q=%20%20', /no words/);
      await bad('/api/search?q=x&limit=101', /from 1 to 100/);
      await bad('/api/search?q=x&offset=1001', /from 0 to 1000/);
      await bad('/api/search?q=x&project=1&session=short', /not both/);
      await bad('/api/search?q=x&session=nope', /no session/, 404);
      await bad('/api/search?q=x&project=5', /no project/, 404);
    });
  });

  describe('/api/ingest', () => {
    it('reports ingestion and what is stored', async () => {
      const body = await get('/api/ingest');
      expect(body).toMatchObject({
        root: FIXTURES,
        files: 6,
        malformed: 0,
        stored: { messages: 1881 },
        malformedLines: [],
      });
      expect(await get('/api/ingest?errors=0')).toHaveProperty('malformedLines', []);
      await bad('/api/ingest?errors=201', /from 0 to 200/);
    });
  });

  describe('walkeeper routes', () => {
    it('serves stats() and health()', async () => {
      const stats = await get('/api/stats');
      expect(stats).toHaveProperty('wal');
      expect(stats).toHaveProperty('pool');
      const health = await get('/api/health');
      expect(health.status).toBe('ok');
      await bad('/api/health?verbose=1', /unknown parameter/);
    });

    it('answers 501 for report and alerts when started without @walkeeper/history', async () => {
      await bad('/api/report', /@walkeeper\/history/, 501);
      await bad('/api/alerts', /@walkeeper\/history/, 501);
    });

    it('serves report() and alerts() with validated options', async () => {
      const calls: unknown[] = [];
      const wired = createApi({
        db: db.wk,
        walkeeper: db.wk,
        ingest: db.ingester,
        insights: {
          report: (options) => {
            calls.push(options);
            return { wal: 'fine' };
          },
          alerts: (options) => {
            calls.push(options);
            return [{ code: 'X' }];
          },
        },
      });
      const json = async (path: string, status = 200) => {
        const response = await wired.request(path);
        expect(response.status, path).toBe(status);
        return (await response.json()) as Json;
      };
      expect(await json('/api/report')).toEqual({ wal: 'fine' });
      expect(await json('/api/report?hours=6')).toEqual({ wal: 'fine' });
      expect(await json('/api/alerts?severity=warning')).toEqual({ alerts: [{ code: 'X' }] });
      expect(calls).toEqual([{ hours: 1 }, { hours: 6 }, { severity: 'warning' }]);
      expect(((await json('/api/report?hours=0', 400)).error as Json).message).toMatch(
        /from 1 to 24/,
      );
      expect(((await json('/api/report?hours=25', 400)).error as Json).message).toMatch(
        /from 1 to 24/,
      );
      expect(((await json('/api/alerts?severity=loud', 400)).error as Json).message).toMatch(
        /one of info, warning, critical/,
      );
      expect(((await json('/api/alerts?x=1', 400)).error as Json).message).toMatch(/unknown/);
    });
  });

  describe('everything else', () => {
    it('is read-only: other methods get 405 with Allow', async () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const response = await app.request('/api/projects', { method });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, HEAD');
      }
    });

    it('answers 404 in JSON for unknown routes', async () => {
      await bad('/api/nope', /no route GET \/api\/nope/, 404);
      await bad('/', /no route/, 404);
    });

    it('answers 503 when the pool is saturated, and 500 without details for a fault', async () => {
      const failing = (error: Error): ApiDeps => ({
        db: { read: () => Promise.reject(error) },
        walkeeper: db.wk,
        ingest: db.ingester,
        onError: () => {},
      });
      const busy = createApi(failing(new WalkeeperError('E_POOL_QUEUE_FULL', 'queue full')));
      const response = await busy.request('/api/projects');
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      const broken = createApi(failing(new Error('disk on fire')));
      const fault = await broken.request('/api/projects');
      expect(fault.status).toBe(500);
      expect(await fault.text()).not.toContain('disk on fire');
    });

    it('ran only catalog queries, and every one of them', () => {
      const catalog = new Set<string>(Object.values(QUERIES));
      for (const sql of executed) expect(catalog.has(sql), sql).toBe(true);
      const unused = Object.entries(QUERIES)
        .filter(([, sql]) => !executed.has(sql))
        .map(([name]) => name);
      expect(unused).toEqual([]);
    });

    it('documents its page limits', () => {
      expect(PAGE_LIMITS.sessions.max).toBe(200);
    });
  });
});
