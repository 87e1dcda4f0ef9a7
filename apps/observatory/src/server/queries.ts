/**
 * Every SQL statement the API runs, in one catalog: the routes use nothing else, and
 * test/query-plans.test.ts runs EXPLAIN QUERY PLAN on each entry (with its sample
 * parameters) and fails on a full scan of a large table. A new query goes here, with a
 * sample, or the test fails.
 *
 * Optional filters that an index would serve are separate statements (`…ByProject`), not
 * `(? IS NULL OR x = ?)`, which no index can serve.
 */

const SESSION_COLUMNS = `s.key, s.project_id, s.agent_id, s.title, s.cwd, s.git_branch,
  s.version, s.slug, s.started_at, s.last_at, s.message_count, s.user_count,
  s.assistant_count, s.tool_call_count, s.input_tokens, s.output_tokens,
  s.cache_creation_tokens, s.cache_read_tokens`;

/** Keyset pagination: the first page starts below every real key. */
export const FIRST_PAGE = { at: '\u{10ffff}', id: Number.MAX_SAFE_INTEGER } as const;
/** Day bounds when none are given: every ISO day, and rows whose day is 'unknown'. */
export const ALL_DAYS = { from: '', to: '\u{10ffff}' } as const;

const SEARCH_SELECT = `SELECT s.key AS session, m.line, m.type, m.timestamp, m.role,
  snippet(messages_fts, 0, char(2), char(3), '…', 16) AS snippet
  FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
  JOIN sessions s ON s.id = m.session_id`;

const TOOL_TOTALS = `name, sum(calls) AS calls, sum(results) AS results, sum(errors) AS errors,
  sum(duration_ms) AS duration_ms, sum(input_bytes) AS input_bytes`;
const USAGE_TOTALS = `substr(hour, 1, 10) AS day, model, sum(calls) AS messages,
  sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  sum(cache_write_5m_tokens + cache_write_1h_tokens) AS cache_creation_tokens,
  sum(cache_read_tokens) AS cache_read_tokens`;
/** A rollup's columns summed (the rows src/usage/cost-modes.ts prices). */
const ROLLUP_SUMS = `u.model, u.recorded, sum(u.calls) AS calls, sum(u.input_tokens) AS input_tokens,
  sum(u.output_tokens) AS output_tokens, sum(u.cache_write_5m_tokens) AS cache_write_5m_tokens,
  sum(u.cache_write_1h_tokens) AS cache_write_1h_tokens,
  sum(u.cache_read_tokens) AS cache_read_tokens, sum(u.input_above) AS input_above,
  sum(u.output_above) AS output_above, sum(u.cache_write_5m_above) AS cache_write_5m_above,
  sum(u.cache_write_1h_above) AS cache_write_1h_above,
  sum(u.cache_read_above) AS cache_read_above, sum(u.cost_usd) AS cost_usd`;
const SESSION_USAGE = `SELECT coalesce(parent.key, s.key) AS session_key, p.dir AS project_dir,
  min(s.started_at) AS first_at, max(s.last_at) AS last_at, ${ROLLUP_SUMS}
  FROM usage_sessions u JOIN sessions s ON s.id = u.session_id
  LEFT JOIN sessions parent ON parent.id = s.parent_id JOIN projects p ON p.id = s.project_id`;
const CALL_COLUMNS = `at, model, input_tokens, output_tokens, cache_write_5m_tokens,
  cache_write_1h_tokens, cache_read_tokens, cost_usd`;

export const QUERIES = {
  projects: `SELECT id, dir, cwd, session_count, subagent_count, message_count, first_at, last_at
    FROM projects ORDER BY last_at DESC, id DESC LIMIT ?`,
  projectExists: 'SELECT id FROM projects WHERE id = ?',
  totals: `SELECT count(*) AS projects, coalesce(sum(session_count), 0) AS sessions,
    coalesce(sum(subagent_count), 0) AS subagents, coalesce(sum(message_count), 0) AS messages
    FROM projects`,

  sessions: `SELECT ${SESSION_COLUMNS}, s.id FROM sessions s
    WHERE (s.started_at, s.id) < (?, ?) AND (? OR s.parent_id IS NULL)
    ORDER BY s.started_at DESC, s.id DESC LIMIT ?`,
  sessionsByProject: `SELECT ${SESSION_COLUMNS}, s.id FROM sessions s
    WHERE s.project_id = ? AND (s.started_at, s.id) < (?, ?) AND (? OR s.parent_id IS NULL)
    ORDER BY s.started_at DESC, s.id DESC LIMIT ?`,
  session: `SELECT ${SESSION_COLUMNS}, s.id, s.parent_id, s.session_uuid, p.dir AS project_dir,
    parent.key AS parent_key
    FROM sessions s JOIN projects p ON p.id = s.project_id
    LEFT JOIN sessions parent ON parent.id = s.parent_id
    WHERE s.key = ?`,
  sessionId: 'SELECT id FROM sessions WHERE key = ?',
  /** The Task call of the parent session that started this subagent. */
  parentToolCall: `SELECT tool_use_id FROM tool_calls
    WHERE session_id = ? AND agent_id = ? LIMIT 1`,
  subagents: `SELECT s.key, s.agent_id, s.title, s.started_at, s.message_count,
    (SELECT tc.tool_use_id FROM tool_calls tc
      WHERE tc.session_id = s.parent_id AND tc.agent_id = s.agent_id LIMIT 1) AS tool_use_id
    FROM sessions s WHERE s.parent_id = ? ORDER BY s.started_at, s.id LIMIT 500`,
  sessionFiles: `SELECT path, byte_offset, line_count, size, malformed, resets, ingested_at
    FROM files WHERE session_id = ?`,
  sessionTokens: `SELECT model, sum(calls) AS messages, sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cache_write_5m_tokens + cache_write_1h_tokens) AS cache_creation_tokens,
    sum(cache_read_tokens) AS cache_read_tokens
    FROM usage_sessions WHERE session_id = ? GROUP BY model ORDER BY model`,

  messages: `SELECT line, type, subtype, uuid, parent_uuid, timestamp, role, model,
    is_sidechain, is_meta, text FROM messages
    WHERE id > ? AND id < ? ORDER BY id LIMIT ?`,
  messagesWithRaw: `SELECT line, type, subtype, uuid, parent_uuid, timestamp, role, model,
    is_sidechain, is_meta, text, raw FROM messages
    WHERE id > ? AND id < ? ORDER BY id LIMIT ?`,
  messagesOfTypes: `SELECT line, type, subtype, uuid, parent_uuid, timestamp, role, model,
    is_sidechain, is_meta, text FROM messages
    WHERE id > ? AND id < ? AND type IN (SELECT value FROM json_each(?))
    ORDER BY id LIMIT ?`,
  messagesOfTypesWithRaw: `SELECT line, type, subtype, uuid, parent_uuid, timestamp, role,
    model, is_sidechain, is_meta, text, raw FROM messages
    WHERE id > ? AND id < ? AND type IN (SELECT value FROM json_each(?))
    ORDER BY id LIMIT ?`,

  tools: `SELECT ${TOOL_TOTALS} FROM tool_daily WHERE day >= ? AND day <= ?
    GROUP BY name ORDER BY calls DESC, name`,
  toolsByProject: `SELECT ${TOOL_TOTALS} FROM tool_daily
    WHERE project_id = ? AND day >= ? AND day <= ? GROUP BY name ORDER BY calls DESC, name`,
  toolsBySession: `SELECT name, count(*) AS calls, count(result_message_id) AS results,
    coalesce(sum(is_error), 0) AS errors, coalesce(sum(duration_ms), 0) AS duration_ms,
    coalesce(sum(input_bytes), 0) AS input_bytes
    FROM tool_calls WHERE session_id = ? AND name IS NOT NULL
    GROUP BY name ORDER BY calls DESC, name`,

  // Day bounds on UTC hours: 'YYYY-MM-DD' <= 'YYYY-MM-DDTHH' < 'YYYY-MM-DD~'.
  usage: `SELECT ${USAGE_TOTALS} FROM usage_hourly WHERE hour >= ? AND hour < ? || '~'
    GROUP BY day, model ORDER BY day, model`,
  usageByProject: `SELECT ${USAGE_TOTALS} FROM usage_hourly
    WHERE project_id = ? AND hour >= ? AND hour < ? || '~'
    GROUP BY day, model ORDER BY day, model`,
  usageBySession: `SELECT substr(at, 1, 10) AS day, model, count(*) AS messages,
    sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
    sum(cache_write_5m_tokens + cache_write_1h_tokens) AS cache_creation_tokens,
    sum(cache_read_tokens) AS cache_read_tokens
    FROM token_usage WHERE session_id = ? AND at >= ? AND at < ? || '~'
    GROUP BY day, model ORDER BY day, model`,

  // The reports (src/usage/reports.ts): rollups by UTC hour, project or session.
  reportHours: `SELECT u.hour, ${ROLLUP_SUMS} FROM usage_hourly u
    WHERE u.hour >= ? AND u.hour < ? GROUP BY u.hour, u.model, u.recorded`,
  reportHoursByProject: `SELECT u.hour, ${ROLLUP_SUMS} FROM usage_hourly u
    WHERE u.project_id = ? AND u.hour >= ? AND u.hour < ? GROUP BY u.hour, u.model, u.recorded`,
  reportProjects: `SELECT p.dir AS project_dir, ${ROLLUP_SUMS}
    FROM usage_hourly u JOIN projects p ON p.id = u.project_id
    WHERE u.hour >= ? AND u.hour < ? GROUP BY u.project_id, u.model, u.recorded`,
  reportSessions: `${SESSION_USAGE} GROUP BY session_key, u.model, u.recorded`,
  reportSessionsByProject: `${SESSION_USAGE} WHERE s.project_id = ?
    GROUP BY session_key, u.model, u.recorded`,
  reportCalls: `SELECT ${CALL_COLUMNS} FROM token_usage WHERE at >= ? AND at < ? ORDER BY at`,
  reportCallsByProject: `SELECT ${CALL_COLUMNS} FROM token_usage
    WHERE at >= ? AND at < ? AND project_id = ? ORDER BY at`,
  projectByDir: 'SELECT id FROM projects WHERE dir = ?',
  counters: 'SELECT folded_lines, archived_sessions FROM counters WHERE id = 1',

  search: `${SEARCH_SELECT} WHERE messages_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?`,
  searchByProject: `${SEARCH_SELECT} WHERE messages_fts MATCH ? AND s.project_id = ?
    ORDER BY rank LIMIT ? OFFSET ?`,
  searchBySession: `${SEARCH_SELECT} WHERE messages_fts MATCH ? AND m.session_id = ?
    ORDER BY rank LIMIT ? OFFSET ?`,

  /** CROSS JOIN keeps ingest_errors outside: its newest rows by rowid, stopping at LIMIT. */
  ingestErrors: `SELECT f.path, e.line, e.error, e.excerpt, e.at
    FROM ingest_errors e CROSS JOIN files f ON f.id = e.file_id ORDER BY e.id DESC LIMIT ?`,
} as const;

export type QueryName = keyof typeof QUERIES;

/** Parameters that make each query plannable, for the EXPLAIN test. */
export const QUERY_SAMPLES: { readonly [name in QueryName]: readonly unknown[] } = {
  projects: [50],
  projectExists: [1],
  totals: [],
  sessions: [FIRST_PAGE.at, FIRST_PAGE.id, 0, 50],
  sessionsByProject: [1, FIRST_PAGE.at, FIRST_PAGE.id, 0, 50],
  session: ['short'],
  sessionId: ['short'],
  parentToolCall: [1, 'a7be2f0'],
  subagents: [1],
  sessionFiles: [1],
  sessionTokens: [1],
  messages: [2 ** 32, 2 ** 33, 100],
  messagesWithRaw: [2 ** 32, 2 ** 33, 100],
  messagesOfTypes: [2 ** 32, 2 ** 33, '["user","assistant"]', 100],
  messagesOfTypesWithRaw: [2 ** 32, 2 ** 33, '["user","assistant"]', 100],
  tools: [ALL_DAYS.from, ALL_DAYS.to],
  toolsByProject: [1, ALL_DAYS.from, ALL_DAYS.to],
  toolsBySession: [1],
  usage: [ALL_DAYS.from, ALL_DAYS.to],
  usageByProject: [1, ALL_DAYS.from, ALL_DAYS.to],
  usageBySession: [1, ALL_DAYS.from, ALL_DAYS.to],
  reportHours: ['', '\u{10ffff}'],
  reportHoursByProject: [1, '', '\u{10ffff}'],
  reportProjects: ['', '\u{10ffff}'],
  reportSessions: [],
  reportSessionsByProject: [1],
  reportCalls: ['', '\u{10ffff}'],
  reportCallsByProject: ['', '\u{10ffff}', 1],
  projectByDir: ['claude-code'],
  counters: [],
  search: ['"phoenix"', 20, 0],
  searchByProject: ['"phoenix"', 1, 20, 0],
  searchBySession: ['"phoenix"', 1, 20, 0],
  ingestErrors: [20],
};

const MAX_TERMS = 12;

/**
 * A user's search words as an FTS5 query that cannot be a syntax error: each word becomes a
 * quoted string (quotes doubled), a trailing `*` stays as a prefix search, and the words are
 * ANDed. FTS5 operators in the input are searched for as words.
 */
export function ftsQuery(input: string): string | undefined {
  const terms = input
    .split(/\s+/)
    .filter((term) => term !== '' && term !== '*')
    .slice(0, MAX_TERMS);
  const parts = terms.map((term) => {
    const prefix = term.endsWith('*');
    const word = prefix ? term.replace(/\*+$/, '') : term;
    return `"${word.replaceAll('"', '""')}"${prefix ? '*' : ''}`;
  });
  return parts.length === 0 ? undefined : parts.join(' ');
}
