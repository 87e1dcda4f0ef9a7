-- Token usage de-duplicated across every session, priced by model, and kept after Claude Code
-- deletes its transcripts.
--
-- Claude Code writes one line per content block of a streamed reply, each with the same
-- message.id, requestId and usage; a resumed session copies earlier lines into a new file
-- under a new sessionId; a sidechain may replay a parent's message under a new requestId.
-- token_usage holds each API call once, keyed on (message.id, requestId), with the usage
-- of its largest copy (a non-sidechain copy before a sidechain one), as ccusage counts; of
-- equal copies, the subagent's own line before its parent's relay of it.
-- The per-session table this replaces could not see across sessions; its rows and every
-- line are read again from the transcripts (the offsets below go back to 0).

DROP TABLE token_usage;
DROP TABLE usage_daily;

CREATE TABLE token_usage (
  id INTEGER PRIMARY KEY,
  -- message.id; 'line:<messages rowid>' for a line without one (counted on its own).
  api_message_id TEXT NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  -- Where the counted copy was read.
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  project_id INTEGER NOT NULL REFERENCES projects (id),
  message_id INTEGER NOT NULL,
  model TEXT NOT NULL,
  at TEXT NOT NULL,
  sidechain INTEGER NOT NULL DEFAULT 0,
  -- 1 when read from a parent's progress line relaying a subagent's reply.
  relayed INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  -- costUSD as the line recorded it (older Claude Code versions), else NULL.
  cost_usd REAL,
  UNIQUE (api_message_id, request_id)
);
CREATE INDEX token_usage_by_session ON token_usage (session_id);
-- 5-hour blocks walk calls in time order.
CREATE INDEX token_usage_by_time ON token_usage (at);

-- Rollups kept by ingestion, so no report aggregates token_usage. `recorded` is 1 for calls
-- whose line carried costUSD (its sum is cost_usd), so each cost mode is a sum of rows.
-- The *_above columns are each count's part above the price table's long-context threshold,
-- so costs are computed at query time from the current price table.
CREATE TABLE usage_hourly (
  -- UTC hour, 'YYYY-MM-DDTHH': any time zone's days are whole hours of UTC (or nearly).
  hour TEXT NOT NULL,
  project_id INTEGER NOT NULL REFERENCES projects (id),
  model TEXT NOT NULL,
  recorded INTEGER NOT NULL,
  calls INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  input_above INTEGER NOT NULL DEFAULT 0,
  output_above INTEGER NOT NULL DEFAULT 0,
  cache_write_5m_above INTEGER NOT NULL DEFAULT 0,
  cache_write_1h_above INTEGER NOT NULL DEFAULT 0,
  cache_read_above INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, project_id, model, recorded)
) WITHOUT ROWID;
CREATE INDEX usage_hourly_by_project ON usage_hourly (project_id, hour);

-- The same per session (the file a call was counted in) and model.
CREATE TABLE usage_sessions (
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  model TEXT NOT NULL,
  recorded INTEGER NOT NULL,
  calls INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  input_above INTEGER NOT NULL DEFAULT 0,
  output_above INTEGER NOT NULL DEFAULT 0,
  cache_write_5m_above INTEGER NOT NULL DEFAULT 0,
  cache_write_1h_above INTEGER NOT NULL DEFAULT 0,
  cache_read_above INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, model, recorded)
) WITHOUT ROWID;

-- Usage lines of a file that were copies of a call already counted (GET /api/ingest).
ALTER TABLE files ADD COLUMN folded_lines INTEGER NOT NULL DEFAULT 0;
-- When the file was found gone (Claude Code's cleanup): its rows stay, as the archive.
ALTER TABLE files ADD COLUMN vanished_at TEXT;

-- Counters GET /api/ingest shows, kept by ingestion so it never scans files or sessions:
-- usage lines folded into a call already counted, and sessions whose every file is gone.
CREATE TABLE counters (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  folded_lines INTEGER NOT NULL DEFAULT 0,
  archived_sessions INTEGER NOT NULL DEFAULT 0
);
INSERT INTO counters (id) VALUES (1);

-- Everything is read again from the transcripts, so usage is derived the new way.
INSERT INTO messages_fts (messages_fts) VALUES ('delete-all');
DELETE FROM messages;
DELETE FROM tool_calls;
DELETE FROM tool_daily;
DELETE FROM ingest_errors;
UPDATE files SET byte_offset = 0, line_count = 0, size = 0, head_bytes = 0, head_hash = NULL,
  malformed = 0;
UPDATE sessions SET message_count = 0, user_count = 0, assistant_count = 0,
  tool_call_count = 0, input_tokens = 0, output_tokens = 0, cache_creation_tokens = 0,
  cache_read_tokens = 0, started_at = '', last_at = '', title = NULL;
UPDATE projects SET message_count = 0, first_at = NULL, last_at = NULL;
