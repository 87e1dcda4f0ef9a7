-- Tool calls (each tool_use paired with its tool_result) and token usage, with daily
-- rollups that ingestion keeps, so statistics never aggregate the large tables.

-- One per tool_use id in a session; either half may arrive first.
CREATE TABLE tool_calls (
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  tool_use_id TEXT NOT NULL,
  name TEXT,
  use_message_id INTEGER,
  result_message_id INTEGER,
  started_at TEXT,
  finished_at TEXT,
  input_bytes INTEGER,
  is_error INTEGER,
  duration_ms INTEGER,
  -- The subagent a Task call started (its transcript is the session with this agent_id).
  agent_id TEXT,
  PRIMARY KEY (session_id, tool_use_id)
) WITHOUT ROWID;

-- Claude Code writes one line per content block of an API message, each repeating the
-- message's usage: one row per API message, each count the largest seen.
CREATE TABLE token_usage (
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  api_message_id TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  model TEXT NOT NULL,
  day TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, api_message_id)
) WITHOUT ROWID;

-- GET /api/tools: per tool and UTC day (of the tool_use), per project.
CREATE TABLE tool_daily (
  day TEXT NOT NULL,
  project_id INTEGER NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  calls INTEGER NOT NULL DEFAULT 0,
  results INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  input_bytes INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, project_id, name)
) WITHOUT ROWID;
CREATE INDEX tool_daily_by_project ON tool_daily (project_id, day);

-- GET /api/usage: per UTC day and model, per project.
CREATE TABLE usage_daily (
  day TEXT NOT NULL,
  project_id INTEGER NOT NULL REFERENCES projects (id),
  model TEXT NOT NULL,
  messages INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, project_id, model)
) WITHOUT ROWID;
CREATE INDEX usage_daily_by_project ON usage_daily (project_id, day);
