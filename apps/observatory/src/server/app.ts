import type { HealthReport } from '@walkeeper/core';
import { isWalkeeperError } from '@walkeeper/core';
import { Hono } from 'hono';
import type { IngestStatus } from '../ingest/ingester.js';
import type { RetentionCheck } from '../ingest/retention-check.js';
import { messageRowid } from '../ingest/store.js';
import { allowedHosts, hostRefusal } from './host-check.js';
import { decodeCursor, encodeCursor, HttpError, QueryParams, sessionKeyParam } from './params.js';
import { ALL_DAYS, FIRST_PAGE, ftsQuery, QUERIES, type QueryName } from './queries.js';
import {
  type MessageRow,
  messageJson,
  type SessionRow,
  sessionJson,
  snippetSegments,
} from './rows.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { mountUsageRoutes } from './usage-routes.js';

/** Reads through walkeeper's pool; the API never writes. */
export interface Reader {
  read<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** What the routes need: narrow on purpose, so tests can hand in fakes and recorders. */
export interface ApiDeps {
  db: Reader;
  walkeeper: { stats(): unknown; health(): HealthReport };
  ingest: { status(): IngestStatus };
  /** `report()` and `alerts()`, from @walkeeper/history's plugin. */
  insights?: {
    report(options: { hours: number }): unknown;
    alerts(options: { severity: AlertLevel }): unknown;
  };
  /**
   * The host names requests may carry (see `allowedHosts`); any other gets a 403.
   * Default: the loopback names.
   */
  allowedHosts?: ReadonlySet<string>;
  /** Claude Code's transcript retention (GET /api/ingest warns when it is 30 days or less). */
  retention?: () => RetentionCheck;
  /** Where unexpected errors go (a 500). Default: console.error. */
  onError?: (error: unknown) => void;
}

export const PAGE_LIMITS = {
  projects: { default: 100, max: 500 },
  sessions: { default: 50, max: 200 },
  messages: { default: 100, max: 500 },
  search: { default: 20, max: 100 },
  searchOffset: 1000,
  ingestErrors: { default: 20, max: 200 },
} as const;

const TYPE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ALERT_LEVELS = ['info', 'warning', 'critical'] as const;
type AlertLevel = (typeof ALERT_LEVELS)[number];
/** A day of samples at the history's default resolution: the most it keeps in memory. */
const MAX_REPORT_HOURS = 24;
const MAX_LINE = 2 ** 32 - 1;

/**
 * The read-only HTTP API. Routes live under `/api`; `/` is left for the dashboard, which
 * mounts its page and event stream on the same app (see `mountDashboard` in the README).
 */
export function createApi(deps: ApiDeps): Hono {
  const app = new Hono();
  const read = <Row>(name: QueryName, params: readonly unknown[]): Promise<Row[]> =>
    deps.db.read<Row>(QUERIES[name], params);

  const hosts = deps.allowedHosts ?? allowedHosts(undefined);
  app.use('*', async (c, next) => {
    // First, so a foreign Host learns nothing else, not even which methods exist.
    const refusal = hostRefusal(c.req.header('host'), c.req.url, hosts);
    if (refusal !== undefined) throw new HttpError(403, refusal);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      c.header('Allow', 'GET, HEAD');
      throw new HttpError(405, `${c.req.method} is not allowed: this API is read-only`);
    }
    await next();
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  });

  app.get('/api', (c) => {
    new QueryParams(c.req.url, []);
    return c.json({ routes: ROUTES });
  });

  app.get('/api/projects', async (c) => {
    const q = new QueryParams(c.req.url, ['limit']);
    const limit = q.integer('limit', 1, PAGE_LIMITS.projects.max, PAGE_LIMITS.projects.default);
    const [rows, [totals]] = await Promise.all([
      read<ProjectRow>('projects', [limit]),
      read<Record<string, number>>('totals', []),
    ]);
    return c.json({
      projects: rows.map((row) => ({
        id: row.id,
        dir: row.dir,
        cwd: row.cwd,
        sessions: row.session_count,
        subagents: row.subagent_count,
        messages: row.message_count,
        firstAt: row.first_at,
        lastAt: row.last_at,
      })),
      totals,
    });
  });

  app.get('/api/sessions', async (c) => {
    const q = new QueryParams(c.req.url, ['project', 'limit', 'cursor', 'subagents']);
    const project = q.integer('project', 1, Number.MAX_SAFE_INTEGER);
    const limit = q.integer('limit', 1, PAGE_LIMITS.sessions.max, PAGE_LIMITS.sessions.default);
    const cursorText = q.string('cursor', { max: 1000 });
    const cursor = cursorText === undefined ? FIRST_PAGE : decodeCursor(cursorText);
    const subagents = Number(q.boolean('subagents', false));
    if (project !== undefined) await requireProject(project);
    const rows =
      project === undefined
        ? await read<SessionRow>('sessions', [cursor.at, cursor.id, subagents, limit + 1])
        : await read<SessionRow>('sessionsByProject', [
            project,
            cursor.at,
            cursor.id,
            subagents,
            limit + 1,
          ]);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json({
      sessions: page.map(sessionJson),
      nextCursor:
        rows.length > limit && last ? encodeCursor(last.started_at, Number(last.id)) : null,
    });
  });

  app.get('/api/sessions/:key', async (c) => {
    new QueryParams(c.req.url, []);
    const key = sessionKeyParam(c.req.param('key'));
    const [row] = await read<SessionRow & SessionDetailRow>('session', [key]);
    if (row === undefined) throw new HttpError(404, `no session '${key}'`);
    const id = Number(row.id);
    const [subagents, files, tokens, parentCall] = await Promise.all([
      read<SubagentRow>('subagents', [id]),
      read<FileRow>('sessionFiles', [id]),
      read<TokenRow>('sessionTokens', [id]),
      row.parent_id !== null && row.agent_id !== null
        ? read<{ tool_use_id: string }>('parentToolCall', [row.parent_id, row.agent_id])
        : Promise.resolve([]),
    ]);
    return c.json({
      session: {
        ...sessionJson(row),
        sessionUuid: row.session_uuid,
        projectDir: row.project_dir,
        parent:
          row.parent_key === null
            ? null
            : { id: row.parent_key, toolUseId: parentCall[0]?.tool_use_id ?? null },
      },
      subagents: subagents.map((s) => ({
        id: s.key,
        agentId: s.agent_id,
        title: s.title,
        startedAt: s.started_at || null,
        messages: s.message_count,
        toolUseId: s.tool_use_id,
      })),
      tokensByModel: tokens.map(tokenJson),
      files: files.map((f) => ({
        path: f.path,
        offset: f.byte_offset,
        lines: f.line_count,
        size: f.size,
        malformed: f.malformed,
        resets: f.resets,
        ingestedAt: f.ingested_at,
      })),
    });
  });

  app.get('/api/sessions/:key/messages', async (c) => {
    const q = new QueryParams(c.req.url, ['after', 'limit', 'types', 'raw']);
    const key = sessionKeyParam(c.req.param('key'));
    const after = q.integer('after', 0, MAX_LINE, 0);
    const limit = q.integer('limit', 1, PAGE_LIMITS.messages.max, PAGE_LIMITS.messages.default);
    const types = q.list('types', TYPE_NAME, 20);
    const raw = q.boolean('raw', true);
    const session = await sessionId(key);
    // A session's lines are one rowid range (see messageRowid).
    const from = messageRowid(session, after);
    const to = messageRowid(session + 1, 0);
    const rows =
      types === undefined
        ? await read<MessageRow>(raw ? 'messagesWithRaw' : 'messages', [from, to, limit + 1])
        : await read<MessageRow>(raw ? 'messagesOfTypesWithRaw' : 'messagesOfTypes', [
            from,
            to,
            JSON.stringify(types),
            limit + 1,
          ]);
    const page = rows.slice(0, limit);
    return c.json({
      messages: page.map(messageJson),
      nextAfter: rows.length > limit ? (page.at(-1)?.line ?? null) : null,
    });
  });

  app.get('/api/tools', async (c) => {
    const q = new QueryParams(c.req.url, ['project', 'session', 'from', 'to']);
    const { project, session, from, to } = await scope(q);
    const rows =
      session !== undefined
        ? await read<ToolRow>('toolsBySession', [session])
        : project !== undefined
          ? await read<ToolRow>('toolsByProject', [project, from, to])
          : await read<ToolRow>('tools', [from, to]);
    return c.json({
      tools: rows.map((row) => ({
        name: row.name,
        calls: row.calls,
        results: row.results,
        errors: row.errors,
        errorRate: row.results > 0 ? round(row.errors / row.results) : 0,
        totalDurationMs: row.duration_ms,
        meanDurationMs: row.results > 0 ? Math.round(row.duration_ms / row.results) : null,
        inputBytes: row.input_bytes,
      })),
    });
  });

  app.get('/api/usage', async (c) => {
    const q = new QueryParams(c.req.url, ['project', 'session', 'from', 'to']);
    const { project, session, from, to } = await scope(q);
    const rows =
      session !== undefined
        ? await read<TokenRow & { day: string }>('usageBySession', [session, from, to])
        : project !== undefined
          ? await read<TokenRow & { day: string }>('usageByProject', [project, from, to])
          : await read<TokenRow & { day: string }>('usage', [from, to]);
    return c.json({ usage: rows.map((row) => ({ day: row.day, ...tokenJson(row) })) });
  });

  app.get('/api/search', async (c) => {
    const q = new QueryParams(c.req.url, ['q', 'project', 'session', 'limit', 'offset']);
    const text = q.string('q', { max: 200 });
    if (text === undefined) throw new HttpError(400, "'q' is required: the words to search for");
    const match = ftsQuery(text);
    if (match === undefined) throw new HttpError(400, "'q' has no words to search for");
    if (q.has('project') && q.has('session'))
      throw new HttpError(400, "give 'project' or 'session', not both");
    const project = q.integer('project', 1, Number.MAX_SAFE_INTEGER);
    const sessionKey = q.string('session', { max: 300 });
    const limit = q.integer('limit', 1, PAGE_LIMITS.search.max, PAGE_LIMITS.search.default);
    const offset = q.integer('offset', 0, PAGE_LIMITS.searchOffset, 0);
    let rows: SearchRow[];
    if (sessionKey !== undefined) {
      const session = await sessionId(sessionKeyParam(sessionKey));
      rows = await read<SearchRow>('searchBySession', [match, session, limit + 1, offset]);
    } else if (project !== undefined) {
      await requireProject(project);
      rows = await read<SearchRow>('searchByProject', [match, project, limit + 1, offset]);
    } else {
      rows = await read<SearchRow>('search', [match, limit + 1, offset]);
    }
    const page = rows.slice(0, limit);
    return c.json({
      query: match,
      results: page.map((row) => ({
        session: row.session,
        line: row.line,
        type: row.type,
        role: row.role,
        timestamp: row.timestamp,
        snippet: snippetSegments(row.snippet),
      })),
      nextOffset: rows.length > limit ? offset + limit : null,
    });
  });

  app.get('/api/ingest', async (c) => {
    const q = new QueryParams(c.req.url, ['errors']);
    const limit = q.integer(
      'errors',
      0,
      PAGE_LIMITS.ingestErrors.max,
      PAGE_LIMITS.ingestErrors.default,
    );
    const [errors, [totals], [counters]] = await Promise.all([
      limit === 0 ? Promise.resolve([]) : read<IngestErrorRow>('ingestErrors', [limit]),
      read<Record<string, number>>('totals', []),
      read<{ folded_lines: number; archived_sessions: number }>('counters', []),
    ]);
    return c.json({
      ...deps.ingest.status(),
      stored: totals,
      // Usage lines that repeated a call already counted (streamed blocks, resumed sessions).
      foldedUsageLines: counters?.folded_lines ?? 0,
      // Sessions whose transcripts are gone: only the database has them now.
      archivedSessions: counters?.archived_sessions ?? 0,
      retention: deps.retention?.() ?? null,
      malformedLines: errors,
    });
  });

  app.get('/api/stats', (c) => {
    new QueryParams(c.req.url, []);
    return c.json(deps.walkeeper.stats() as object);
  });

  app.get('/api/health', (c) => {
    new QueryParams(c.req.url, []);
    const health = deps.walkeeper.health();
    return c.json(health, health.status === 'critical' ? 503 : 200);
  });

  app.get('/api/report', (c) => {
    const q = new QueryParams(c.req.url, ['hours']);
    const hours = q.integer('hours', 1, MAX_REPORT_HOURS, 1);
    if (!deps.insights) throw notWired('report');
    return c.json(deps.insights.report({ hours }) as object);
  });

  app.get('/api/alerts', (c) => {
    const q = new QueryParams(c.req.url, ['severity']);
    const severity = q.oneOf('severity', ALERT_LEVELS, 'info');
    if (!deps.insights) throw notWired('alerts');
    return c.json({ alerts: deps.insights.alerts({ severity }) });
  });

  mountUsageRoutes(app, deps.db);

  app.notFound((c) => c.json(errorBody(404, `no route ${c.req.method} ${c.req.path}`), 404));

  app.onError((error, c) => {
    if (error instanceof HttpError)
      return c.json(errorBody(error.status, error.message), error.status);
    if (isWalkeeperError(error) && BUSY_CODES.has(error.code)) {
      c.header('Retry-After', '1');
      return c.json(errorBody(503, `the database is busy (${error.code}); try again`), 503);
    }
    (deps.onError ?? console.error)(error);
    return c.json(errorBody(500, 'internal error'), 500);
  });

  async function requireProject(project: number): Promise<void> {
    const rows = await read('projectExists', [project]);
    if (rows.length === 0) throw new HttpError(404, `no project ${project}`);
  }

  async function sessionId(key: string): Promise<number> {
    const [row] = await read<{ id: number }>('sessionId', [key]);
    if (row === undefined) throw new HttpError(404, `no session '${key}'`);
    return Number(row.id);
  }

  /** The filters shared by /api/tools and /api/usage. */
  async function scope(q: QueryParams) {
    if (q.has('project') && q.has('session'))
      throw new HttpError(400, "give 'project' or 'session', not both");
    const project = q.integer('project', 1, Number.MAX_SAFE_INTEGER);
    const sessionKey = q.string('session', { max: 300 });
    const from = q.day('from') ?? ALL_DAYS.from;
    const to = q.day('to') ?? ALL_DAYS.to;
    if (from > to) throw new HttpError(400, "'from' is after 'to'");
    if (project !== undefined) await requireProject(project);
    const session =
      sessionKey === undefined ? undefined : await sessionId(sessionKeyParam(sessionKey));
    return { project, session, from, to };
  }

  return app;
}

const BUSY_CODES = new Set(['E_POOL_QUEUE_FULL', 'E_TIMEOUT', 'E_CLOSED', 'E_BUSY']);

const ROUTES = [
  'GET /api/projects?limit',
  'GET /api/sessions?project&limit&cursor&subagents',
  'GET /api/sessions/:id',
  'GET /api/sessions/:id/messages?after&limit&types&raw',
  'GET /api/tools?project|session&from&to',
  'GET /api/usage?project|session&from&to',
  'GET /api/usage/daily|weekly|monthly|session|project|blocks?since&until&timezone&project&mode&weekStart',
  'GET /api/search?q&project|session&limit&offset',
  'GET /api/ingest?errors',
  'GET /api/stats',
  'GET /api/health',
  'GET /api/report?hours',
  'GET /api/alerts?severity',
];

function notWired(route: string): HttpError {
  return new HttpError(
    501,
    `/api/${route} needs @walkeeper/history, which this app was started without`,
  );
}

function errorBody(status: number, message: string) {
  return { error: { status, message } };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function tokenJson(row: TokenRow) {
  return {
    model: row.model,
    messages: row.messages,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheCreationTokens: row.cache_creation_tokens,
    cacheReadTokens: row.cache_read_tokens,
  };
}

interface ProjectRow {
  id: number;
  dir: string;
  cwd: string | null;
  session_count: number;
  subagent_count: number;
  message_count: number;
  first_at: string | null;
  last_at: string | null;
}

interface SessionDetailRow {
  parent_id: number | null;
  session_uuid: string | null;
  project_dir: string;
  parent_key: string | null;
}

interface SubagentRow {
  key: string;
  agent_id: string | null;
  title: string | null;
  started_at: string;
  message_count: number;
  tool_use_id: string | null;
}

interface FileRow {
  path: string;
  byte_offset: number;
  line_count: number;
  size: number;
  malformed: number;
  resets: number;
  ingested_at: string | null;
}

interface TokenRow {
  model: string;
  messages: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
}

interface ToolRow {
  name: string;
  calls: number;
  results: number;
  errors: number;
  duration_ms: number;
  input_bytes: number;
}

interface SearchRow {
  session: string;
  line: number;
  type: string;
  timestamp: string | null;
  role: string | null;
  snippet: string;
}

interface IngestErrorRow {
  path: string;
  line: number;
  error: string;
  excerpt: string;
  at: string;
}
